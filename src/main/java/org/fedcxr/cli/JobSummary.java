package org.fedcxr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.fedcxr.config.Spec;

/**
 * The one shape of every job's {@code _SUMMARY.json}: {@code job}, {@code fedcxr_version}, {@code commit} (the
 * source, {@link SourceVersion}), {@code cpu} (the driver's CPU, the cap on libtorch's vector instructions, which
 * change a trained model's rounding, and glibc's allocator settings, which change its speed), {@code output},
 * {@code spec_source}, {@code spec} (resolved), {@code started}, {@code seconds}, then the job's own {@code results}.
 */
final class JobSummary {
  private JobSummary() {
  }

  /** The summary of a job of {@code spec} that started at {@code started} and ends now. */
  static Map<String, Object> of(Spec spec, String output, Instant started, Map<String, Object> results) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", spec.job());
    summary.put("fedcxr_version", Main.class.getPackage().getImplementationVersion());
    summary.put("commit", SourceVersion.describe());
    summary.put("cpu", cpu());
    summary.put("output", output);
    summary.put("spec_source", spec.source());
    summary.put("spec", spec.resolved());
    summary.put("started", started.toString());
    summary.put("seconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
    summary.put("results", results);
    return summary;
  }

  /**
   * The driver's CPU: its model with family and model numbers (Linux's /proc/cpuinfo; elsewhere the architecture),
   * whether it has AVX-512, DNNL_MAX_CPU_ISA, the cap bin/fedcxr puts on libtorch's kernels, and the MALLOC_*
   * variables of its environment, through which bin/fedcxr sets glibc's allocator.
   */
  static Map<String, Object> cpu() {
    Map<String, String> info = new LinkedHashMap<>();
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      lines.takeWhile(l -> !l.isBlank()).filter(l -> l.indexOf(':') > 0).forEach(l ->
          info.putIfAbsent(l.substring(0, l.indexOf(':')).trim(), l.substring(l.indexOf(':') + 1).trim()));
    } catch (IOException | RuntimeException e) {
      info.clear(); // not Linux, or unreadable: the architecture alone
    }
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("model", info.isEmpty() ? System.getProperty("os.arch") : info.getOrDefault("model name", "?")
        + " (family " + info.getOrDefault("cpu family", "?") + ", model " + info.getOrDefault("model", "?") + ")");
    cpu.put("avx512", (" " + info.getOrDefault("flags", "") + " ").contains(" avx512f "));
    String cap = System.getenv("DNNL_MAX_CPU_ISA");
    cpu.put("isa_cap", cap == null || cap.isEmpty() ? "native" : cap);
    String malloc = new TreeMap<>(System.getenv()).entrySet().stream().filter(e -> e.getKey().startsWith("MALLOC_"))
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    cpu.put("malloc", malloc.isEmpty() ? "glibc defaults" : malloc);
    return cpu;
  }

  /** The job's own results in a summary made by {@link #of}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> results(Map<String, Object> summary) {
    return (Map<String, Object>) summary.get("results");
  }
}
