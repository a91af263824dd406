package org.fedcxr.fl;

/** FedAvg (McMahan et al., 2017): the next global model is the clients' weighted mean. */
record FedAvg() implements Strategy {
  @Override
  public String name() {
    return "fedavg";
  }

  @Override
  public float[] merge(float[] global, float[] mean) {
    return mean;
  }
}
