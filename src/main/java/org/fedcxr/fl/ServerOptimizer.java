package org.fedcxr.fl;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FedAdam and FedYogi (Reddi et al., 2021): a server optimizer on the mean delta Δ = mean − global:
 * m = β1·m + (1−β1)·Δ; Adam v = β2·v + (1−β2)·Δ², Yogi v = v − (1−β2)·Δ²·sign(v − Δ²); w = w + η·m / (√v + τ).
 * BatchNorm running statistics take the mean directly. The moments are its checkpointed state.
 */
final class ServerOptimizer implements Strategy {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.99f;
  private static final float TAU = 1e-3f;

  private final String name;
  private final boolean yogi;
  private final float serverLr;
  private final boolean[] runningStats;
  private float[] m;
  private float[] v;

  ServerOptimizer(String name, float serverLr, boolean[] runningStats) {
    this.name = name;
    this.yogi = name.equals("fedyogi");
    this.serverLr = serverLr;
    this.runningStats = runningStats;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public float[] merge(float[] global, float[] mean) {
    if (m == null) {
      m = new float[global.length];
      v = new float[global.length];
      Arrays.fill(v, TAU * TAU);
    }
    float[] next = new float[global.length];
    for (int i = 0; i < global.length; i++) {
      if (runningStats[i]) {
        next[i] = mean[i];
        continue;
      }
      float d = mean[i] - global[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * d;
      float d2 = d * d;
      v[i] = yogi ? v[i] - (1 - BETA2) * d2 * Math.signum(v[i] - d2) : BETA2 * v[i] + (1 - BETA2) * d2;
      next[i] = global[i] + serverLr * m[i] / ((float) Math.sqrt(v[i]) + TAU);
    }
    return next;
  }

  @Override
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    if (m != null) {
      s.put("server_m", m.clone());
      s.put("server_v", v.clone());
    }
    return s;
  }

  @Override
  public void restore(Map<String, float[]> state) {
    m = state.containsKey("server_m") ? state.get("server_m").clone() : null;
    v = state.containsKey("server_v") ? state.get("server_v").clone() : null;
  }
}
