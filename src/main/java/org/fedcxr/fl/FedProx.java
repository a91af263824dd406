package org.fedcxr.fl;

import org.fedcxr.train.TrainConfig;

/**
 * FedProx (Li et al., 2020): each client's loss gains (μ/2)·‖w − w_global‖², which keeps its update near the global
 * model on non-IID data; the driver takes the weighted mean.
 */
record FedProx(float mu) implements Strategy {
  FedProx {
    if (!(mu >= 0)) {
      throw new IllegalArgumentException("FedProx's mu must be at least 0, not " + mu);
    }
  }

  @Override
  public String name() {
    return "fedprox";
  }

  @Override
  public TrainConfig clientTraining(TrainConfig base) {
    return base.withProxMu(mu);
  }

  @Override
  public float[] merge(float[] global, float[] mean) {
    return mean;
  }
}
