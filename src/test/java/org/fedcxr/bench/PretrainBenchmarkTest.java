package org.fedcxr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Module;
import org.fedcxr.model.TorchThread;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.ssl.ViewAugmenter;
import org.junit.jupiter.api.Test;

class PretrainBenchmarkTest {
  private static SslConfig config(String method) {
    return new SslConfig(method, true, 2, 4, 1e-3f, "constant", 0, 0f, "run", 0.99f, "constant", 1024, 128,
        false, ViewAugmenter.DEFAULT, 1);
  }

  @Test
  void flopsCountBothViewsTheOnlineBackwardAndByolsTarget() {
    long encoder = TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        Module e = Architecture.SMALL.newEncoder();
        e.initialize(m, DataType.FLOAT32, new Shape(1, 1, 64, 64));
        return e.forwardFlops(new Shape(1, 1, 64, 64));
      }
    });
    long projector = 2L * (128 * 1024 + 1024 * 128); // the small encoder's 128 features -> 1024 -> 128
    long predictor = 2L * (128 * 1024 + 1024 * 128);
    double simsiam = PretrainBenchmark.flopsPerImage(Architecture.SMALL, config("simsiam"), 64);
    double byol = PretrainBenchmark.flopsPerImage(Architecture.SMALL, config("byol"), 64);
    assertEquals(2 * 3.0 * (encoder + projector + predictor), simsiam, 1e-6 * simsiam);
    assertEquals(simsiam + 2.0 * (encoder + projector), byol, 1e-6 * byol);
  }

  @Test
  void theSuiteReportsEveryCaseAgainstTheSameMatmul() {
    Spec spec = JobSpecs.schema("bench").load(null, List.of("suite=pretrain", "architecture=small",
        "batch_size=4", "train_steps=1", "threads=1"));
    Map<String, Object> r = PretrainBenchmark.run(spec);
    double matmul = (Double) r.get("matmul_2048_gflop_per_s");
    assertTrue(matmul > 0);
    for (String c : List.of("supervised_64px", "supervised_128px", "byol_64px", "byol_128px",
        "byol_joint_views_64px", "byol_joint_views_128px", "simsiam_64px", "simsiam_128px",
        "byol_64px_libtorch_updates", "byol_128px_libtorch_updates", "simsiam_64px_libtorch_updates",
        "simsiam_128px_libtorch_updates")) {
      double ips = (Double) r.get(c + "_img_per_s");
      double gflop = (Double) r.get(c + "_gflop_per_img");
      assertTrue(ips > 0 && gflop > 0, c);
      assertEquals(gflop * ips, (Double) r.get(c + "_gflop_per_s"), 1e-9 * gflop * ips, c);
      assertEquals(gflop * ips / matmul, (Double) r.get(c + "_share_of_matmul"), 1e-9, c);
    }
    for (String c : List.of("byol_64px", "byol_128px", "simsiam_64px", "simsiam_128px")) {
      double ratio = (Double) r.get(c + "_img_per_s") / (Double) r.get(c + "_libtorch_updates_img_per_s");
      assertEquals(ratio, (Double) r.get(c + "_one_pass_speedup"), 1e-9 * ratio, c);
      double first = (Double) r.get(c + "_one_pass_speedup_first_pair");
      double second = (Double) r.get(c + "_one_pass_speedup_second_pair");
      assertTrue(first > 0 && second > 0, c);
      // the pooled ratio is a time-weighted mean of the two pairs' ratios: between them
      assertTrue(ratio >= Math.min(first, second) - 1e-9 && ratio <= Math.max(first, second) + 1e-9, c);
      for (String kind : List.of(c, c + "_libtorch_updates")) {
        double step = (Double) r.get(kind + "_ms_per_step");
        double optimizer = (Double) r.get(kind + "_optimizer_ms_per_step");
        double target = (Double) r.get(kind + "_target_update_ms_per_step");
        assertEquals(1e3 * 4 / (Double) r.get(kind + "_img_per_s"), step, 1e-9 * step, kind); // batch 4 a step
        assertTrue(optimizer > 0 && optimizer + target < step, kind);
        assertEquals(c.startsWith("byol"), target > 0, kind + ": only BYOL updates a target");
      }
    }
  }
}
