package org.fedcxr.fl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.fedcxr.train.TrainConfig;

/**
 * A federated strategy: what the clients train with, whether each client keeps its own BatchNorm layers between
 * rounds, and how the driver turns the clients' weighted mean into the next global model. Its server state, if any,
 * is checkpointed with every round. A new strategy is one class implementing this and one line in {@link #NAMED}.
 */
public interface Strategy {
  /** What a strategy may be built from: the spec's settings and the model's layout. */
  record Options(float serverLr, float proxMu, boolean[] runningStats) {
  }

  /** The strategies by name, in the order the spec lists them. */
  Map<String, Function<Options, Strategy>> NAMED = registry();

  /** The names {@link #named} accepts. */
  List<String> NAMES = List.copyOf(NAMED.keySet());

  /** The strategy of that name. */
  static Strategy named(String name, Options options) {
    Function<Options, Strategy> make = NAMED.get(name);
    if (make == null) {
      throw new IllegalArgumentException("unknown strategy " + name + "; known: " + NAMES);
    }
    return make.apply(options);
  }

  private static Map<String, Function<Options, Strategy>> registry() {
    Map<String, Function<Options, Strategy>> m = new LinkedHashMap<>();
    m.put("fedavg", o -> new FedAvg());
    m.put("fedprox", o -> new FedProx(o.proxMu()));
    m.put("fedadam", o -> new ServerOptimizer("fedadam", o.serverLr(), o.runningStats()));
    m.put("fedyogi", o -> new ServerOptimizer("fedyogi", o.serverLr(), o.runningStats()));
    m.put("fedbn", o -> new FedBn());
    return Collections.unmodifiableMap(m);
  }

  String name();

  /** The local training the clients run, from the run's; by default unchanged. */
  default TrainConfig clientTraining(TrainConfig base) {
    return base;
  }

  /** Whether each client keeps its own BatchNorm layers between rounds ({@link FederatedRun} stores them). */
  default boolean keepsBatchNormLocal() {
    return false;
  }

  /** The next global weights from the current ones and the clients' weighted mean (by share of samples). */
  float[] merge(float[] global, float[] mean);

  /** The state to checkpoint (empty for strategies without server state). */
  default Map<String, float[]> state() {
    return Map.of();
  }

  /** Continues from a checkpointed {@link #state}. */
  default void restore(Map<String, float[]> state) {
  }
}
