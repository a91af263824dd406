package org.fedcxr.bench;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.TorchThread;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.ssl.SslTrainer;

/**
 * The {@code ops} suite of {@code bench}: where a training step's time goes, operator by operator, for supervised
 * training and for BYOL pretraining (SR-layer on, one view per pass, the pretrain suite's settings) at
 * {@code image_size}, epochs of {@code train_steps} steps: the step time without the profiler, then one epoch under
 * libtorch's profiler (traces kept in {@code <output>/ops-profile/}) summed ({@link OpProfile}) into
 * {@code <case>-ops.csv}: per step, each operator's calls and milliseconds, by outermost operator and by self time.
 * Printed per case: milliseconds per step with and without the profiler, inside profiled operators and outside them
 * (Java, JNI, the one-pass updates, building batches), the FLOPs per image, and the largest outermost operators.
 */
final class OpsBenchmark {
  private static final int PRINTED = 8;

  private OpsBenchmark() {
  }

  static Map<String, Object> run(Spec spec, Path dir) {
    Map<String, Object> results = TrainBenchmark.start(spec);
    Architecture arch = Architecture.named(spec.string("architecture"));
    int size = spec.integer("image_size");
    int steps = spec.integer("train_steps");
    Path out = dir.resolve("ops-profile");
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out, e);
    }
    results.put("image_size", size);
    results.put("supervised_gflop_per_img", 3.0 * TrainBenchmark.forwardFlops(arch, size) / 1e9);
    profile(results, out, "supervised", steps,
        n -> TrainBenchmark.timedRun(arch, size, spec, n).lastEpochSeconds());
    SslConfig byol = PretrainBenchmark.config(spec, "byol", false);
    results.put("byol_gflop_per_img", PretrainBenchmark.flopsPerImage(arch, byol, size) / 1e9);
    profile(results, out, "byol", steps,
        n -> PretrainBenchmark.timedRun(new SslTrainer(arch, byol), size, spec, n).lastEpochSeconds());
    return results;
  }

  /**
   * A case's figures; {@code training} trains the given number of epochs and returns the seconds of its last. The
   * epoch without the profiler is the second of an unprofiled two-epoch training (the first warms up); the epoch
   * under the profiler is a profiled two-epoch training's less a profiled one-epoch training's
   * ({@link OpProfile#minus}), with the wall time of the two-epoch training's second epoch.
   */
  private static void profile(Map<String, Object> results, Path out, String name, int steps,
      ToDoubleFunction<Integer> training) {
    double plain = training.applyAsDouble(2);
    OpProfile once = profiled(training, 1, out.resolve(name + "-1-epoch.trace.json")).ops();
    Profiled twice = profiled(training, 2, out.resolve(name + ".trace.json"));
    OpProfile ops = twice.ops().minus(once);
    write(out.resolve(name + "-ops.csv"), ops, steps);
    double perStep = 1e3 / steps;
    results.put(name + "_ms_per_step", plain * perStep);
    results.put(name + "_profiled_ms_per_step", twice.lastEpochSeconds() * perStep);
    results.put(name + "_in_ops_ms_per_step", ops.profiledMs() / steps);
    results.put(name + "_outside_ops_ms_per_step", twice.lastEpochSeconds() * perStep - ops.profiledMs() / steps);
    for (OpProfile.Row row : ops.outermost().subList(0, Math.min(PRINTED, ops.outermost().size()))) {
      results.put(name + "_op " + row.op() + " ms_per_step", row.ms() / steps);
    }
  }

  private record Profiled(OpProfile ops, double lastEpochSeconds) {
  }

  private static Profiled profiled(ToDoubleFunction<Integer> training, int epochs, Path trace) {
    double seconds = TorchThread.call(() -> { // the profiler records the thread that starts it
      JniUtils.startProfile(false, false, false);
      try {
        return training.applyAsDouble(epochs);
      } finally {
        JniUtils.stopProfile(trace.toString());
      }
    });
    return new Profiled(OpProfile.read(trace), seconds);
  }

  private static void write(Path csv, OpProfile ops, int steps) {
    List<String> lines = new ArrayList<>(List.of("level,op,calls_per_step,ms_per_step"));
    for (String level : new String[] {"outermost", "self"}) {
      for (OpProfile.Row row : level.equals("outermost") ? ops.outermost() : ops.self()) {
        lines.add(String.format(Locale.ROOT, "%s,\"%s\",%.2f,%.3f", level, row.op().replace("\"", "\"\""),
            (double) row.calls() / steps, row.ms() / steps));
      }
    }
    try {
      Files.write(csv, lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + csv, e);
    }
  }
}
