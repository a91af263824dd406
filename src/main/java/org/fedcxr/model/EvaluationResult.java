package org.fedcxr.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's scores on labelled images, per label (in the model's label order) and their means over the labels that
 * are defined (at least one positive and one negative). Written to JSON (a job's {@code _SUMMARY.json}, a round's
 * checkpoint) as {@code mean_auc}, {@code mean_average_precision}, {@code labels_defined}, {@code labels_undefined}
 * and {@code per_label}, and read back from that form.
 */
public record EvaluationResult(Map<String, LabelResult> perLabel) {
  /** One label's counts and scores; {@code auc} and {@code averagePrecision} are null when undefined. */
  public record LabelResult(long positives, long negatives, Double auc, Double averagePrecision) {
    public boolean defined() {
      return auc != null;
    }
  }

  /** The result of a round that was not evaluated: no labels; written as an empty JSON object. */
  public static final EvaluationResult NONE = new EvaluationResult(Map.of());

  public EvaluationResult {
    perLabel = Collections.unmodifiableMap(new LinkedHashMap<>(perLabel));
  }

  /** The mean AUC over the defined labels, null when none is. */
  public Double meanAuc() {
    return mean(true);
  }

  /** The mean average precision over the defined labels, null when none is. */
  public Double meanAveragePrecision() {
    return mean(false);
  }

  /** The labels without a positive or without a negative, in label order. */
  public List<String> labelsUndefined() {
    List<String> out = new ArrayList<>();
    perLabel.forEach((label, r) -> {
      if (!r.defined()) {
        out.add(label);
      }
    });
    return out;
  }

  private Double mean(boolean auc) {
    double sum = 0;
    int n = 0;
    for (LabelResult r : perLabel.values()) {
      if (r.defined()) {
        sum += auc ? r.auc() : r.averagePrecision();
        n++;
      }
    }
    return n == 0 ? null : sum / n;
  }

  /** The JSON form. */
  @JsonValue
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (perLabel.isEmpty()) {
      return out;
    }
    out.put("mean_auc", meanAuc());
    out.put("mean_average_precision", meanAveragePrecision());
    out.put("labels_defined", perLabel.size() - labelsUndefined().size());
    out.put("labels_undefined", labelsUndefined());
    Map<String, Object> labels = new LinkedHashMap<>();
    perLabel.forEach((label, r) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("positives", r.positives());
      m.put("negatives", r.negatives());
      m.put("auc", r.auc());
      m.put("average_precision", r.averagePrecision());
      labels.put(label, m);
    });
    out.put("per_label", labels);
    return out;
  }

  /** Reads the JSON form back (the means are recomputed from the labels). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static EvaluationResult fromMap(Map<String, Object> json) {
    Map<String, LabelResult> perLabel = new LinkedHashMap<>();
    if (json.get("per_label") instanceof Map<?, ?> labels) {
      labels.forEach((label, v) -> {
        Map<?, ?> m = (Map<?, ?>) v;
        perLabel.put(String.valueOf(label), new LabelResult(((Number) m.get("positives")).longValue(),
            ((Number) m.get("negatives")).longValue(), number(m.get("auc")), number(m.get("average_precision"))));
      });
    }
    return new EvaluationResult(perLabel);
  }

  private static Double number(Object o) {
    return o == null ? null : ((Number) o).doubleValue();
  }
}
