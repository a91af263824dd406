package org.fedcxr.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The keys of one job's spec and the checks across keys. Loads a YAML spec (nested maps become dotted keys), applies
 * {@code --set key=value} overrides and validates everything, or throws a {@link SpecException}.
 */
public final class SpecSchema {
  private final String job;
  private final Map<String, SpecKey> keys = new LinkedHashMap<>();
  private final List<Consumer<Spec>> crossChecks = new ArrayList<>();

  SpecSchema(String job, List<SpecKey> keyList, List<Consumer<Spec>> crossChecks) {
    this.job = job;
    for (SpecKey k : keyList) {
      if (keys.put(k.name(), k) != null) { // e.g. a forwarded key that clashes with the job's own
        throw new IllegalStateException("job '" + job + "' declares key '" + k.name() + "' twice");
      }
    }
    this.crossChecks.addAll(crossChecks);
  }

  public String job() {
    return job;
  }

  public Map<String, SpecKey> keys() {
    return keys;
  }

  /** Loads the spec file (may be null: defaults only) and applies the overrides. */
  public Spec load(Path file, List<String> overrides) {
    Map<String, Object> raw = new LinkedHashMap<>();
    String source = file == null ? "defaults" : file.toString();
    if (file != null) {
      raw.putAll(readYaml(file));
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      values.put(e.getKey(), keyOf(e.getKey(), source).check(e.getValue(), source));
    }
    for (String override : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new SpecException("--set '" + override + "': expected key=value");
      }
      String key = override.substring(0, eq).trim();
      values.put(key, keyOf(key, "--set").check(override.substring(eq + 1), "--set"));
    }
    return complete(source, values);
  }

  Spec override(Spec spec, String key, Object value) {
    Map<String, Object> values = new LinkedHashMap<>(spec.resolved());
    values.put(key, keyOf(key, spec.source()).check(value, spec.source()));
    return complete(spec.source(), values);
  }

  private Spec complete(String source, Map<String, Object> given) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (SpecKey key : keys.values()) {
      Object v = given.get(key.name());
      if (v == null && key.required()) {
        throw new SpecException(source + ": required key '" + key.name() + "' is missing; it must be "
            + key.allowed() + (key.doc() == null ? "" : " (" + key.doc() + ")"));
      }
      values.put(key.name(), v == null ? key.defaultValue() : v);
    }
    Spec spec = new Spec(job, source, values);
    crossChecks.forEach(c -> c.accept(spec));
    return spec;
  }

  private SpecKey keyOf(String name, String source) {
    SpecKey key = keys.get(name);
    if (key == null) {
      throw new SpecException(source + ": unknown key '" + name + "' for job '" + job + "'; known keys: "
          + String.join(", ", keys.keySet()));
    }
    return key;
  }

  private static Map<String, Object> readYaml(Path file) {
    Object doc;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (IOException e) {
      throw new SpecException(file + ": cannot read the spec file: " + e.getMessage());
    } catch (YAMLException e) {
      throw new SpecException(file + ": not valid YAML: " + e.getMessage());
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    if (doc == null) {
      return flat;
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new SpecException(file + ": the spec must be a YAML mapping of keys to values");
    }
    flatten("", map, flat, file);
    return flat;
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out, Path file) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> nested) {
        flatten(key + ".", nested, out, file);
      } else {
        out.put(key, e.getValue());
      }
    }
  }
}
