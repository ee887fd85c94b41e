import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExecutionProvider } from './execution-provider';

/** What the checks read: the file system, injectable for tests. */
export interface AvailabilityProbe {
  platform: NodeJS.Platform;
  arch: string;
  exists(file: string): boolean;
  /** The dynamic loader's cache (/etc/ld.so.cache), or '' when unreadable. */
  loaderCache(): string;
}

const onnxRoot = () => path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));

export const SYSTEM_PROBE: AvailabilityProbe = {
  platform: process.platform,
  arch: process.arch,
  exists: existsSync,
  loaderCache: () => {
    try {
      return readFileSync('/etc/ld.so.cache', 'latin1');
    } catch {
      return '';
    }
  },
};

/** Standard library folders the Vulkan loader is found in when it is not in the loader's cache. */
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];

/**
 * Why `provider` cannot start on this machine, checked before asking ONNX Runtime, or null when it
 * may (then ONNX Runtime decides). Asking for a provider whose libraries are missing makes the
 * native code print red errors on every start ("Failed to load library
 * …libonnxruntime_providers_shared.so", Dawn's "Couldn't load Vulkan") that no log level silences
 * (Dawn writes to stderr itself); an expected fallback deserves one calm line instead.
 * Only Linux is checked: elsewhere ONNX Runtime is asked as before.
 */
export function unavailableReason(provider: ExecutionProvider, probe: AvailabilityProbe = SYSTEM_PROBE, root: () => string = onnxRoot): string | null {
  if (provider === 'cpu' || probe.platform !== 'linux') return null;
  if (provider === 'cuda') {
    const dir = path.join(root(), 'bin', 'napi-v6', 'linux', probe.arch);
    const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter((f) => !probe.exists(path.join(dir, f)));
    return missing.length === 0 ? null : `CUDA provider libraries not installed (${missing.join(', ')}; onnxruntime-node's install script downloads them, see README)`;
  }
  // WebGPU runs on Dawn over Vulkan: without the Vulkan loader it cannot start.
  const vulkan = 'libvulkan.so.1';
  if (probe.loaderCache().includes(vulkan) || LIB_DIRS.some((d) => probe.exists(path.join(d, vulkan)))) return null;
  return `no Vulkan loader (${vulkan}) on this machine, which WebGPU needs`;
}
