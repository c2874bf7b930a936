/**
 * How a model wants its pixels: size, resize-then-crop policy and normalisation. Shared by CLIP
 * (read from its preprocessor_config.json) and bring-your-own ONNX models (from their manifest).
 */
export interface ImagePreprocess {
  /** Square input edge in pixels, e.g. 224. */
  size: number;
  /** The shortest side is resized to this before the centre crop (CLIP: 224; ImageNet models: 256). */
  resizeShortest: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Pixel values are divided by 255 before normalisation (true for nearly all models). */
  rescale: boolean;
}
