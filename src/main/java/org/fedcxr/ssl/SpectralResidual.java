package org.fedcxr.ssl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The SR-layer: spectral-residual saliency on a feature map, before pooling. Per channel: the 2-D Fourier transform
 * (products with fixed cos/sin matrices; the maps are 4x4 to 14x14), log amplitude minus its 3x3 local mean (the
 * spectral residual), back with the original phase, squared magnitude, 3x3 smoothing and min-max normalisation of
 * each map to [0, 1] give a saliency map S. The output is F·(1 + α·S) with a learnable per-channel α that starts at 0,
 * so the layer starts as the identity. S is computed without gradient: it is an attention map over the features,
 * and α learns how much to use it.
 */
public final class SpectralResidual extends AbstractBlock {
  private static final float EPS = 1e-6f;
  private final Parameter alpha;

  public SpectralResidual() {
    alpha = addParameter(Parameter.builder().setName("alpha").setType(Parameter.Type.WEIGHT)
        .optInitializer(Initializer.ZEROS).build());
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    alpha.setShape(new Shape(1, inputShapes[0].get(1), 1, 1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray f = inputs.singletonOrThrow();
    NDArray s = saliency(f.stopGradient());
    NDArray a = ps.getValue(alpha, f.getDevice(), training);
    return new NDList(f.mul(a.mul(s).add(1)));
  }

  /** The normalised spectral-residual saliency of every map of (N, C, H, W), same shape, in [0, 1]. */
  static NDArray saliency(NDArray f) {
    Shape s = f.getShape();
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    NDManager m = f.getManager();
    NDArray ch = dft(m, h, true);
    NDArray sh = dft(m, h, false);
    NDArray cw = dft(m, w, true);
    NDArray sw = dft(m, w, false);
    NDArray re = ch.matMul(f).matMul(cw).sub(sh.matMul(f).matMul(sw));
    NDArray im = sh.matMul(f).matMul(cw).add(ch.matMul(f).matMul(sw)).neg();
    NDArray amp = re.square().add(im.square()).sqrt().add(EPS);
    NDArray logAmp = amp.log();
    NDArray residual = logAmp.sub(localMean(logAmp));
    NDArray scale = residual.exp().div(amp);
    NDArray yr = re.mul(scale);
    NDArray yi = im.mul(scale);
    NDArray back = ch.matMul(yr).matMul(cw).sub(sh.matMul(yr).matMul(sw))
        .sub(ch.matMul(yi).matMul(sw)).sub(sh.matMul(yi).matMul(cw)).div((float) h * w);
    NDArray sal = localMean(back.square());
    NDArray min = sal.min(new int[] {3}, true).min(new int[] {2}, true);
    NDArray max = sal.max(new int[] {3}, true).max(new int[] {2}, true);
    return sal.sub(min).div(max.sub(min).add(EPS));
  }

  private static NDArray localMean(NDArray x) {
    return Pool.avgPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, false);
  }

  /** cos(2πkh/n) or sin(2πkh/n), an n x n symmetric matrix. */
  private static NDArray dft(NDManager m, int n, boolean cos) {
    float[] v = new float[n * n];
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < n; j++) {
        double t = 2 * Math.PI * k * j / n;
        v[k * n + j] = (float) (cos ? Math.cos(t) : Math.sin(t));
      }
    }
    return m.create(v, new Shape(n, n));
  }
}
