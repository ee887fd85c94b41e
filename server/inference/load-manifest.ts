import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import { assertPreprocessConsistent, modelManifestSchema, type ModelManifest } from '@/lib/model-manifest';

/** A manifest that passed validation, with the verified model bytes it describes. */
export interface VerifiedModel {
  manifest: ModelManifest;
  manifestPath: string;
  modelPath: string;
  bytes: Uint8Array;
}

/**
 * Reads a model manifest and its ONNX file, and refuses any mismatch: a manifest that breaks the
 * contract, a missing file, or bytes whose sha256 differs from the manifest's.
 */
export async function loadVerifiedModel(manifestPath: string): Promise<VerifiedModel> {
  const manifest = parseManifest(await readText(manifestPath), manifestPath);
  const modelPath = path.join(path.dirname(manifestPath), manifest.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `model file ${manifest.file} named by ${path.basename(manifestPath)} cannot be read`, undefined, { cause: err });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== manifest.sha256) {
    throw new AppError(
      'MODEL_CHECKSUM_MISMATCH',
      `${manifest.file}: sha256 is ${actual} but the manifest says ${manifest.sha256}; refusing to load a model that is not the one described`,
    );
  }
  return { manifest, manifestPath, modelPath, bytes };
}

/** Validates manifest JSON text against the model contract. */
export function parseManifest(text: string, source = 'manifest'): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('MODEL_MANIFEST_INVALID', `${source} is not valid JSON`);
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('MODEL_MANIFEST_INVALID', `${source}: ${problems}`);
  }
  try {
    assertPreprocessConsistent(parsed.data.preprocess);
  } catch (err) {
    throw new AppError('MODEL_MANIFEST_INVALID', `${source}: ${(err as Error).message}`);
  }
  return parsed.data;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `model manifest ${file} cannot be read`, undefined, { cause: err });
  }
}
