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
import java.util.function.Consumer;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.ssl.SslTrainer;
import org.fedcxr.train.TrainingListener;

/**
 * The {@code ops} suite of {@code bench}: where a training step's time goes, operator by operator, for supervised
 * training and for BYOL and SimSiam pretraining (SR-layer on, one view per pass, the pretrain suite's settings) at
 * {@code image_size}. Each case trains twice for two epochs of {@code train_steps} steps after a warm-up training:
 * once plain, once with libtorch's profiler on over the second epoch's first {@code profiled_steps} steps (started
 * and stopped from the trainer's step listener, on the training thread; trace kept in
 * {@code <output>/ops-profile/<case>.trace.json}), summed ({@link OpProfile}) into {@code <case>-ops.csv}: per
 * profiled step, each operator's calls and milliseconds, by outermost operator and by self time. Printed per case:
 * milliseconds and the process's minor page faults per step of the plain training's second epoch and of the profiled
 * steps; the profiled training's second-epoch steps' milliseconds one by one; for the profiled steps, the
 * milliseconds inside profiled operators and outside them (Java, JNI, the one-pass updates, building batches); the
 * FLOPs per image and the largest outermost operators.
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
    int profiledSteps = spec.integer("profiled_steps");
    Path out = dir.resolve("ops-profile");
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out, e);
    }
    results.put("image_size", size);
    results.put("supervised_gflop_per_img", 3.0 * TrainBenchmark.forwardFlops(arch, size) / 1e9);
    profile(results, out, "supervised", steps, profiledSteps,
        listener -> TrainBenchmark.timedRun(arch, size, spec, listener));
    for (String method : SslConfig.METHODS) {
      SslConfig ssl = PretrainBenchmark.config(spec, method, false);
      results.put(method + "_gflop_per_img", PretrainBenchmark.flopsPerImage(arch, ssl, size) / 1e9);
      profile(results, out, method, steps, profiledSteps,
          listener -> PretrainBenchmark.timedRun(new SslTrainer(arch, ssl).optListener(listener), size, spec));
    }
    return results;
  }

  /** A case's figures; {@code training} trains two epochs telling the given listener of every step. */
  private static void profile(Map<String, Object> results, Path out, String name, int steps, int profiledSteps,
      Consumer<TrainingListener<?>> training) {
    training.accept(new Steps(steps, 0, null)); // warm-up: the first training of a case grows the heap
    Steps plain = new Steps(steps, 0, null);
    training.accept(plain);
    Path trace = out.resolve(name + ".trace.json");
    Steps profiled = new Steps(steps, profiledSteps, trace);
    try {
      training.accept(profiled);
    } finally {
      profiled.stopProfiler();
    }
    OpProfile ops = OpProfile.read(trace);
    write(out.resolve(name + "-ops.csv"), ops, profiledSteps);
    results.put(name + "_ms_per_step", plain.secondEpochMs() / steps);
    results.put(name + "_minor_faults_per_step", (double) plain.secondEpochFaults() / steps);
    results.put(name + "_profiled_ms_per_step", profiled.recordedMs() / profiledSteps);
    results.put(name + "_profiled_minor_faults_per_step", (double) profiled.recordedFaults() / profiledSteps);
    results.put(name + "_profiled_training_steps_ms", profiled.secondEpochStepsMs());
    results.put(name + "_in_ops_ms_per_step", ops.profiledMs() / profiledSteps);
    results.put(name + "_outside_ops_ms_per_step", (profiled.recordedMs() - ops.profiledMs()) / profiledSteps);
    for (OpProfile.Row row : ops.outermost().subList(0, Math.min(PRINTED, ops.outermost().size()))) {
      results.put(name + "_op " + row.op() + " ms_per_step", row.ms() / profiledSteps);
    }
  }

  /**
   * The time and the process's minor page faults at the end of every step of a two-epoch training, on the training
   * thread; with a trace path, libtorch's profiler records the second epoch's first {@code profiled} steps.
   */
  private static final class Steps implements TrainingListener<Void> {
    private final int perEpoch;
    private final int profiled;
    private final Path trace;
    private final long[] nanos;
    private final long[] faults;
    private boolean profiling;

    Steps(int perEpoch, int profiled, Path trace) {
      this.perEpoch = perEpoch;
      this.profiled = profiled;
      this.trace = trace;
      this.nanos = new long[2 * perEpoch + 1];
      this.faults = new long[2 * perEpoch + 1];
    }

    @Override
    public void onStep(int step, float loss) {
      if (step > 2 * perEpoch) {
        throw new IllegalStateException("a two-epoch training of " + perEpoch + " steps each took step " + step);
      }
      nanos[step] = System.nanoTime();
      faults[step] = MemoryBenchmark.minorPageFaults();
      if (trace != null && step == perEpoch) {
        JniUtils.startProfile(false, false, false);
        profiling = true;
      } else if (step == perEpoch + profiled) {
        stopProfiler();
      }
    }

    /** Stops the profiler if this listener started it, writing its trace. */
    void stopProfiler() {
      if (profiling) {
        profiling = false;
        JniUtils.stopProfile(trace.toString());
      }
    }

    double secondEpochMs() {
      return (nanos[2 * perEpoch] - nanos[perEpoch]) / 1e6;
    }

    double recordedMs() {
      return (nanos[perEpoch + profiled] - nanos[perEpoch]) / 1e6;
    }

    long recordedFaults() {
      return faults[perEpoch + profiled] - faults[perEpoch];
    }

    long secondEpochFaults() {
      return faults[2 * perEpoch] - faults[perEpoch];
    }

    List<Long> secondEpochStepsMs() {
      List<Long> ms = new ArrayList<>();
      for (int s = perEpoch + 1; s <= 2 * perEpoch; s++) {
        ms.add(Math.round((nanos[s] - nanos[s - 1]) / 1e6));
      }
      return ms;
    }
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
