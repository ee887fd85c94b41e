#!/usr/bin/env bash
# Regenerates the small synthetic DICOM test images in server/dicom/__fixtures__/.
#
# The generated files are committed, so tests never need these tools; run this only to change them.
# Needs: Debian's python3-pydicom + python3-numpy (sources), dcmtk (dcmconv, dcmcrle, dcmcjpeg,
# dcmcjpls), libgdcm-tools (gdcmconv, JPEG 2000), and node_modules (HTJ2K via OpenJPH's WASM
# encoder, since no Debian tool writes HTJ2K).
#
# The pixel patterns here must match server/dicom/__fixtures__/patterns.ts, which the tests use to
# know every expected value without trusting any decoder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/server/dicom/__fixtures__"
PY=/usr/bin/python3 # Debian's python, where python3-pydicom lives (not a pyenv shim)
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
cd "$OUT"

# 1. Uncompressed sources (Explicit VR Little Endian), written with pydicom.
"$PY" - "$OUT" "$TMP" <<'PYEOF'
import math, sys
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out, tmp = sys.argv[1], sys.argv[2]
R = C = 64
ROOT = '2.25.31415926535897932384626433'  # fixed, synthetic: the files are reproducible

def s16(r, c, f=0):
    if r < 4 and c < 4:
        return -2000  # the padding corner (Pixel Padding Value)
    if r == 63 and c == 62:
        return -32768  # the extremes of int16, to catch sign and 16-bit precision bugs
    if r == 63 and c == 63:
        return 32767
    return ((r * 64 + c) * 13) % 4000 - 1000 + f * 7

def smooth(r, c):
    return round(800 * math.sin(r / 10) * math.cos(c / 13)) + 40

def u8(r, c):
    return round(127.5 + 100 * math.sin(r / 8) * math.cos(c / 11))

def rsna_hu(r, c):
    return ((r * 64 + c) * 7) % 3000 - 1000

def base(name, modality='CT', sop_class='1.2.840.10008.5.1.4.1.1.2', n=1):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = f'{ROOT}.{n}.1'
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyDate = '20200102'
    ds.StudyTime = '030405'
    ds.AccessionNumber = 'ACC0001'
    ds.Modality = modality
    ds.SeriesDescription = f'fixture {name}'
    ds.PatientName = 'Synthetic^Phantom'
    ds.PatientID = 'PHANTOM-001'
    ds.PatientSex = 'O'
    ds.PatientAge = '050Y'
    ds.SliceThickness = '5.0'
    ds.ConvolutionKernel = 'H30s'
    ds.GantryDetectorTilt = '0'
    ds.StudyInstanceUID = f'{ROOT}.100'
    ds.SeriesInstanceUID = f'{ROOT}.100.{n}'
    ds.SeriesNumber = str(n)
    ds.InstanceNumber = '7'
    ds.ImagePositionPatient = ['-125.5', '-130.25', '42.5']
    ds.ImageOrientationPatient = ['1', '0', '0', '0', '1', '0']
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.Rows = R
    ds.Columns = C
    ds.PixelSpacing = ['0.48828125', '0.5']
    return ds

def save(ds, arr, name):
    ds.PixelData = arr.tobytes()
    ds.save_as(f'{out}/{name}', write_like_original=False)

# Signed 16-bit CT, the common case: intercept -1024, padding -2000, two VOI windows.
ds = base('s16', n=1)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
ds.WindowCenter = ['40', '600']
ds.WindowWidth = ['80', '2800']
ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = '-1024', '1', 'HU'
ds.PixelPaddingValue = -2000
arr = np.array([[s16(r, c) for c in range(C)] for r in range(R)], dtype='<i2')
save(ds, arr, 'ct-s16.dcm')
arr.tofile(f'{tmp}/s16.raw')

# Three frames of the same kind (frame f adds 7*f outside the special pixels).
ds = base('s16 multiframe', n=2)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
ds.RescaleIntercept, ds.RescaleSlope = '-1024', '1'
ds.NumberOfFrames = 3
arr = np.array([[[s16(r, c, f) for c in range(C)] for r in range(R)] for f in range(3)], dtype='<i2')
save(ds, arr, 'ct-s16-3frames.dcm')

# A smooth signed image for the lossy syntaxes, whose error is small only on smooth content.
ds = base('smooth', n=3)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
ds.RescaleIntercept, ds.RescaleSlope = '-1024', '1'
arr = np.array([[smooth(r, c) for c in range(C)] for r in range(R)], dtype='<i2')
save(ds, arr, 'ct-smooth.dcm')

# Unsigned 8-bit, for JPEG baseline (.50) and 8-bit extended (.51).
ds = base('u8', n=4)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
ds.RescaleIntercept, ds.RescaleSlope = '-1024', '8'
arr = np.array([[u8(r, c) for c in range(C)] for r in range(R)], dtype='u1')
save(ds, arr, 'ct-u8.dcm')

# The RSNA 2019 defect: unsigned 12-bit holding HU modulo 4096 with intercept 0.
ds = base('rsna u12', n=5)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
ds.RescaleIntercept, ds.RescaleSlope = '0', '1'
arr = np.array([[rsna_hu(r, c) % 4096 for c in range(C)] for r in range(R)], dtype='<u2')
save(ds, arr, 'ct-u12-rsna.dcm')

# An MR slice: decodes, but is not CT.
ds = base('mr', modality='MR', sop_class='1.2.840.10008.5.1.4.1.1.4', n=6)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
arr = np.array([[(r * 64 + c) % 1000 for c in range(C)] for r in range(R)], dtype='<u2')
save(ds, arr, 'mr-u16.dcm')
PYEOF

# 2. Other encodings of the same pixels, made by the reference tools.
dcmconv +ti ct-s16.dcm ct-s16-implicit.dcm                      # 1.2.840.10008.1.2
dcmconv +tb ct-s16.dcm ct-s16-big-endian.dcm                    # 1.2.840.10008.1.2.2
dcmconv +td ct-s16.dcm ct-s16-deflate.dcm                       # 1.2.840.10008.1.2.1.99
dcmcrle ct-s16.dcm ct-s16-rle.dcm                               # 1.2.840.10008.1.2.5
dcmcrle ct-s16-3frames.dcm ct-s16-3frames-rle.dcm               # 1.2.840.10008.1.2.5, 3 fragments
dcmcjpeg +el +sv 6 ct-s16.dcm ct-s16-jpeg-lossless.dcm          # 1.2.840.10008.1.2.4.57 (predictor 6)
dcmcjpeg +e1 ct-s16.dcm ct-s16-jpeg-lossless-sv1.dcm            # 1.2.840.10008.1.2.4.70
dcmcjpls +el ct-s16.dcm ct-s16-jpeg-ls.dcm                      # 1.2.840.10008.1.2.4.80
# dcmcjpls refuses near-lossless on signed pixels; gdcmconv does it.
gdcmconv --jpegls --lossy -e 2 ct-smooth.dcm ct-smooth-jpeg-ls-near.dcm >/dev/null 2>&1 # 1.2.840.10008.1.2.4.81
gdcmconv --j2k ct-s16.dcm ct-s16-j2k.dcm                        # 1.2.840.10008.1.2.4.90
gdcmconv --j2k --lossy --irreversible -r 20 ct-smooth.dcm ct-smooth-j2k-lossy.dcm >/dev/null 2>&1 # .4.91, 9/7 wavelet
dcmcjpeg +eb +q 95 +un ct-u8.dcm ct-u8-jpeg-baseline.dcm        # 1.2.840.10008.1.2.4.50
dcmcjpeg +ee +q 95 +un ct-u8.dcm ct-u8-jpeg-extended.dcm        # 1.2.840.10008.1.2.4.51, 8-bit
dcmcjpeg +ee +q 95 +un ct-u12-rsna.dcm ct-u12-jpeg-extended.dcm # 1.2.840.10008.1.2.4.51, 12-bit

# 3. HTJ2K lossless (.201): encode with OpenJPH's WASM encoder, wrap with pydicom.
(cd "$ROOT" && node --input-type=module - "$TMP/s16.raw" "$TMP/s16.j2c" <<'JSEOF'
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const openjph = await require('@cornerstonejs/codec-openjph')();
const [src, dst] = process.argv.slice(2);
const raw = readFileSync(src);
const encoder = new openjph.HTJ2KEncoder();
const input = encoder.getDecodedBuffer({
  width: 64, height: 64, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false,
});
input.set(raw);
encoder.encode();
writeFileSync(dst, encoder.getEncodedBuffer());
encoder.delete();
JSEOF
)
"$PY" - "$OUT" "$TMP" <<'PYEOF'
import sys
from pydicom import dcmread
from pydicom.encaps import encapsulate
from pydicom._uid_dict import UID_dictionary
# pydicom 2.3 predates HTJ2K: teach it the UID so it writes encapsulated pixel data.
UID_dictionary['1.2.840.10008.1.2.4.201'] = (
    'High-Throughput JPEG 2000 Image Compression (Lossless Only)', 'Transfer Syntax', '', '', 'HTJ2KLossless')
out, tmp = sys.argv[1], sys.argv[2]
ds = dcmread(f'{out}/ct-s16.dcm')
with open(f'{tmp}/s16.j2c', 'rb') as f:
    ds.PixelData = encapsulate([f.read()])
ds['PixelData'].VR = 'OB'
ds['PixelData'].is_undefined_length = True
ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.4.201'
ds.save_as(f'{out}/ct-s16-htj2k.dcm', write_like_original=False)
PYEOF

ls -l "$OUT"/*.dcm
