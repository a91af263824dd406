package org.fedcxr.fl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the driver turns the clients' weighted mean into the next global model.
 * <ul>
 *   <li>{@code fedavg}, {@code fedprox}: the mean itself (FedProx differs in the clients' loss).</li>
 *   <li>{@code fedbn}: the mean; BatchNorm layers also stay with each client between rounds (see
 *       {@link FederatedRun}); the global BatchNorm is the clients' mean, used for evaluation.</li>
 *   <li>{@code fedadam}, {@code fedyogi}: a server optimizer on the mean delta Δ = mean − global:
 *       m = β1·m + (1−β1)·Δ; Adam v = β2·v + (1−β2)·Δ², Yogi v = v − (1−β2)·Δ²·sign(v − Δ²);
 *       w = w + η·m / (√v + τ) (Reddi et al., 2021). BatchNorm running statistics take the mean directly.</li>
 * </ul>
 * Its state (the server moments) is checkpointed with every round.
 */
public final class Strategy {
  public static final List<String> NAMES = List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedbn");
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.99f;
  private static final float TAU = 1e-3f;

  private final String name;
  private final float serverLr;
  private final boolean[] runningStats;
  private float[] m;
  private float[] v;

  public Strategy(String name, float serverLr, boolean[] runningStats) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown strategy " + name + "; known: " + NAMES);
    }
    this.name = name;
    this.serverLr = serverLr;
    this.runningStats = runningStats;
  }

  public String name() {
    return name;
  }

  public boolean keepsBatchNormLocal() {
    return name.equals("fedbn");
  }

  public float[] merge(float[] global, float[] mean) {
    if (!name.equals("fedadam") && !name.equals("fedyogi")) {
      return mean;
    }
    if (m == null) {
      m = new float[global.length];
      v = new float[global.length];
      java.util.Arrays.fill(v, TAU * TAU);
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
      v[i] = name.equals("fedadam") ? BETA2 * v[i] + (1 - BETA2) * d2
          : v[i] - (1 - BETA2) * d2 * Math.signum(v[i] - d2);
      next[i] = global[i] + serverLr * m[i] / ((float) Math.sqrt(v[i]) + TAU);
    }
    return next;
  }

  /** The state to checkpoint (empty for strategies without server state). */
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    if (m != null) {
      s.put("server_m", m.clone());
      s.put("server_v", v.clone());
    }
    return s;
  }

  public void restore(Map<String, float[]> state) {
    m = state.containsKey("server_m") ? state.get("server_m").clone() : null;
    v = state.containsKey("server_v") ? state.get("server_v").clone() : null;
  }
}
