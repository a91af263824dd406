package org.fedcxr.catalog;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.SpecException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The dataset descriptors of a {@code data-catalog/} directory, one YAML file per dataset. Relative locations resolve
 * against the descriptor's directory; {@code ${VAR}} and {@code ${VAR:-default}} expand from the environment, so a
 * deployment points a descriptor at its own bucket without editing it.
 */
public final class Catalog {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final List<String> FORMATS = List.of("nih", "chexpert");

  private final Path directory;
  private final Map<String, Path> files;
  private final Map<String, String> env;

  private Catalog(Path directory, Map<String, Path> files, Map<String, String> env) {
    this.directory = directory;
    this.files = files;
    this.env = env;
  }

  /** Opens the catalog directory; relative directories resolve against {@link Locations#home()}. */
  public static Catalog open(String directory) {
    return open(Locations.home().resolve(directory), System.getenv());
  }

  static Catalog open(Path directory, Map<String, String> env) {
    if (!Files.isDirectory(directory)) {
      throw new SpecException("catalog directory " + directory + " does not exist");
    }
    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(directory)) {
      s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
          .forEach(p -> files.put(p.getFileName().toString().replaceFirst("\\.yaml$", ""), p));
    } catch (IOException e) {
      throw new SpecException("cannot list the catalog directory " + directory + ": " + e.getMessage());
    }
    return new Catalog(directory, files, env);
  }

  /** The names of the datasets in the catalog. */
  public List<String> names() {
    return new ArrayList<>(files.keySet());
  }

  /** Reads and validates the named descriptor. */
  public DatasetDescriptor get(String name) {
    return get(name, null);
  }

  /** Reads the named descriptor with its {@code location} replaced (when not null) by a path or URI. */
  public DatasetDescriptor get(String name, String locationOverride) {
    Path file = files.get(name);
    if (file == null) {
      throw new SpecException("dataset '" + name + "' is not in the catalog " + directory + "; known: "
          + String.join(", ", files.keySet()));
    }
    Map<String, Object> doc = read(file);
    String format = text(doc, "format", file);
    if (!FORMATS.contains(format)) {
      throw new SpecException(file + ": key 'format' has value '" + format + "', but it must be one of "
          + String.join(", ", FORMATS));
    }
    String location = locationOverride != null ? Locations.resolve(locationOverride)
        : location(text(doc, "location", file), file.getParent());
    String images = join(location, optional(doc, "images", "images"));
    String labelTable = join(location, text(doc, "label_table", file));
    List<String> labels = stringList(doc, "labels", file);
    if (labels.isEmpty()) {
      throw new SpecException(file + ": key 'labels' must list the label names");
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    if (doc.get("label_map") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> labelMap.put(String.valueOf(k), String.valueOf(v)));
    }
    for (String target : labelMap.values()) {
      if (!labels.contains(target)) {
        throw new SpecException(file + ": key 'label_map' maps onto '" + target + "', which is not in 'labels'");
      }
    }
    if (format.equals("chexpert") && labelMap.isEmpty()) {
      throw new SpecException(file + ": a chexpert dataset needs 'label_map' (observation column -> label name)");
    }
    String policy = optional(doc, "uncertain_policy", "zeros");
    if (!JobSpecs.UNCERTAIN_POLICIES.contains(policy)) {
      throw new SpecException(file + ": key 'uncertain_policy' has value '" + policy + "', but it must be one of "
          + String.join(", ", JobSpecs.UNCERTAIN_POLICIES));
    }
    return new DatasetDescriptor(name, format, images, labelTable, optional(doc, "glob", "*.{png,jpg,jpeg}"),
        List.copyOf(labels), optional(doc, "no_finding", "No Finding"), Map.copyOf(labelMap), policy,
        doc.get("test_list") == null ? null : join(location, text(doc, "test_list", file)), file.toString());
  }

  private String location(String raw, Path base) {
    Matcher m = VAR.matcher(raw);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null || value.isEmpty()) {
        value = m.group(2);
      }
      if (value == null) {
        throw new SpecException("catalog location '" + raw + "' needs the environment variable " + m.group(1));
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return Locations.resolve(sb.toString(), base);
  }

  private static String join(String location, String child) {
    if (Locations.hasScheme(child)) {
      return child;
    }
    if (child.equals(".")) {
      return location.replaceAll("/+$", "");
    }
    return location.endsWith("/") ? location + child : location + "/" + child;
  }

  private static Map<String, Object> read(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
      if (!(doc instanceof Map<?, ?> map)) {
        throw new SpecException(file + ": a dataset descriptor must be a YAML mapping");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), v));
      return out;
    } catch (IOException | YAMLException e) {
      throw new SpecException(file + ": cannot read the dataset descriptor: " + e.getMessage());
    }
  }

  private static String text(Map<String, Object> doc, String key, Path file) {
    if (!(doc.get(key) instanceof String s) || s.isBlank()) {
      throw new SpecException(file + ": key '" + key + "' is missing or not a string");
    }
    return s;
  }

  private static String optional(Map<String, Object> doc, String key, String fallback) {
    return doc.get(key) instanceof String s && !s.isBlank() ? s : fallback;
  }

  private static List<String> stringList(Map<String, Object> doc, String key, Path file) {
    if (!(doc.get(key) instanceof List<?> list)) {
      throw new SpecException(file + ": key '" + key + "' must be a list");
    }
    return list.stream().map(String::valueOf).toList();
  }
}
