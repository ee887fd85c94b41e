import { describe, expect, it } from 'vitest';
import { unavailableReason, type AvailabilityProbe } from './provider-availability';

const probe = (files: string[], cache = '', platform: NodeJS.Platform = 'linux'): AvailabilityProbe => ({
  platform,
  arch: 'x64',
  exists: (f) => files.includes(f),
  loaderCache: () => cache,
});
const root = () => '/app/node_modules/onnxruntime-node';
const bin = '/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64';

describe('unavailableReason', () => {
  it('always lets the CPU provider through', () => {
    expect(unavailableReason('cpu', probe([]), root)).toBeNull();
  });

  it('says CUDA is not installed when onnxruntime-node was installed without its CUDA download', () => {
    expect(unavailableReason('cuda', probe([]), root)).toMatch(/^CUDA provider libraries not installed \(libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so/);
    expect(unavailableReason('cuda', probe([`${bin}/libonnxruntime_providers_shared.so`, `${bin}/libonnxruntime_providers_cuda.so`]), root)).toBeNull();
  });

  it('says WebGPU cannot start without a Vulkan loader, found in the loader cache or a library folder', () => {
    expect(unavailableReason('webgpu', probe([]), root)).toMatch(/no Vulkan loader \(libvulkan\.so\.1\)/);
    expect(unavailableReason('webgpu', probe([], '\0libvulkan.so.1\0/usr/lib/x86_64-linux-gnu/libvulkan.so.1\0'), root)).toBeNull();
    expect(unavailableReason('webgpu', probe(['/usr/lib64/libvulkan.so.1']), root)).toBeNull();
  });

  it('leaves other platforms to ONNX Runtime', () => {
    expect(unavailableReason('cuda', probe([], '', 'win32'), root)).toBeNull();
  });
});
