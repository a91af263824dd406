package org.fedcxr.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A validated job spec: every key of the job's schema with its typed value, and where the spec came from. */
public final class Spec {
  private final String job;
  private final String source;
  private final Map<String, Object> values;

  Spec(String job, String source, Map<String, Object> values) {
    this.job = job;
    this.source = source;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public String job() {
    return job;
  }

  /** The spec file (or "defaults") the values came from, for messages and provenance. */
  public String source() {
    return source;
  }

  /** Every key with its resolved value, in schema order: written into each job's summary. */
  public Map<String, Object> resolved() {
    return values;
  }

  public String string(String key) {
    return (String) get(key);
  }

  public int integer(String key) {
    return (Integer) get(key);
  }

  public long longValue(String key) {
    return (Long) get(key);
  }

  public double number(String key) {
    return (Double) get(key);
  }

  public boolean bool(String key) {
    return (Boolean) get(key);
  }

  /** A list key's entries: its comma-separated value, each entry trimmed; {@code none} is the empty list. */
  public List<String> list(String key) {
    String raw = string(key).strip();
    return raw.equals("none") ? List.of() : Arrays.stream(raw.split(",", -1)).map(String::strip).toList();
  }

  /** A spec with one key replaced, validated by the same schema (used by jobs that run other jobs). */
  public Spec with(String key, Object value) {
    return JobSpecs.schema(job).override(this, key, value);
  }

  private Object get(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("job '" + job + "' has no spec key '" + key + "'");
    }
    return values.get(key);
  }
}
