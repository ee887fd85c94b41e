/** What one upload may contain (server/config: UPLOAD_MAX_*). */
export interface UploadLimits {
  /** The whole request body. */
  maxRequestBytes: number;
  /** Files in the upload, zip entries counted one by one. */
  maxFiles: number;
  /** What all zips together declare they expand to. */
  maxUncompressedBytes: number;
  /** Largest declared uncompressed/compressed ratio of one zip entry. */
  maxCompressionRatio: number;
}
