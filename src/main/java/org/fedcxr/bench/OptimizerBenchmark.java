package org.fedcxr.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.ssl.Ema;
import org.fedcxr.ssl.SslBranch;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.ssl.SslTrainer;
import org.fedcxr.train.ScopedOptimizer;

/**
 * The {@code optimizer} suite of {@code bench}: a pretraining step's work outside the network, on BYOL's branches at
 * the pretraining defaults (online: encoder, SR-layer projector, predictor; target: encoder, projector), side by side
 * and interleaved in one run on the same threads. Adam by DJL's native kernel ({@code Optimizer.adam()}) against
 * fedcxr's one-pass update ({@code ScopedOptimizer}) over every trainable parameter, and the target's EMA by
 * libtorch's operations against the one-pass {@link Ema}. Each is timed {@code train_steps} times after one warm-up;
 * the medians are reported in milliseconds per step, with their ratios.
 */
final class OptimizerBenchmark {
  private OptimizerBenchmark() {
  }

  static Map<String, Object> run(Spec spec) {
    Architecture arch = Architecture.named(spec.string("architecture"));
    SslConfig config = PretrainBenchmark.config(spec, "byol", false);
    int steps = spec.integer("train_steps");
    return TorchThread.call(() -> {
      JniUtils.setNumThreads(spec.integer("threads"));
      try (NDManager m = NDManager.newBaseManager();
          ScopedOptimizer fused = ScopedOptimizer.adam(Tracker.fixed(1e-3f), config.weightDecay()).optOnePass()) {
        SslTrainer trainer = new SslTrainer(arch, config);
        SslBranch online = trainer.newOnline();
        SslBranch target = trainer.newTarget();
        Shape input = new Shape(2, 1, 64, 64);
        online.initialize(m, DataType.FLOAT32, input);
        target.initialize(m, DataType.FLOAT32, input);
        List<Parameter> trainable = online.getParameters().values().stream().filter(Parameter::requiresGradient)
            .toList();
        NDArray[] grads = trainable.stream().map(p -> m.randomNormal(0f, 0.01f, p.getArray().getShape(),
            DataType.FLOAT32)).toArray(NDArray[]::new);
        Optimizer djl = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f))
            .optWeightDecays(config.weightDecay()).build();
        Ema ema = Ema.between(target, online);
        Map<String, Parameter> targetParams = StateDict.of(target);
        Map<String, Parameter> onlineParams = StateDict.of(online);
        double[][] ms = new double[4][steps];
        for (int rep = -1; rep < steps; rep++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < grads.length; i++) {
            djl.update(trainable.get(i).getId(), trainable.get(i).getArray(), grads[i]);
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < grads.length; i++) {
            fused.update(trainable.get(i).getId(), trainable.get(i).getArray(), grads[i]);
          }
          long t2 = System.nanoTime();
          try (NDManager scope = m.newSubManager()) {
            for (Map.Entry<String, Parameter> e : targetParams.entrySet()) {
              NDArray o = onlineParams.get(e.getKey()).getArray().stopGradient();
              o.attach(scope);
              e.getValue().getArray().muli(0.99f).addi(o.mul(1 - 0.99f));
            }
          }
          long t3 = System.nanoTime();
          ema.update(0.99f);
          long t4 = System.nanoTime();
          if (rep >= 0) {
            ms[0][rep] = (t1 - t0) / 1e6;
            ms[1][rep] = (t2 - t1) / 1e6;
            ms[2][rep] = (t3 - t2) / 1e6;
            ms[3][rep] = (t4 - t3) / 1e6;
          }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("trainable_parameters", trainable.stream().mapToLong(p -> p.getArray().size()).sum());
        results.put("target_parameters", targetParams.values().stream().mapToLong(p -> p.getArray().size()).sum());
        results.put("adam_djl_kernel_ms_per_step", median(ms[0]));
        results.put("adam_one_pass_ms_per_step", median(ms[1]));
        results.put("adam_speedup", median(ms[0]) / median(ms[1]));
        results.put("ema_libtorch_ops_ms_per_step", median(ms[2]));
        results.put("ema_one_pass_ms_per_step", median(ms[3]));
        results.put("ema_speedup", median(ms[2]) / median(ms[3]));
        return results;
      }
    });
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
