package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fedcxr.fl.Strategy;
import org.fedcxr.model.Architecture;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.train.TrainConfig;
import org.junit.jupiter.api.Test;

/**
 * The spec registry ({@link JobSpecs}) restates, for users and for checking a spec before any stage runs, values the
 * stages own (config cannot import a later stage). This ties each restated list and default to the stage's own, so
 * that a stage that changes its values fails here rather than in a job.
 */
class SpecRegistryTest {
  private static SpecKey key(String job, String name) {
    return JobSpecs.schema(job).keys().get(name);
  }

  @Test
  void everyChoiceTheSpecOffersIsTheStagesOwnList() {
    List<String> architectures = Architecture.ALL.stream().map(Architecture::name).toList();
    assertEquals(architectures, JobSpecs.ARCHITECTURES);
    for (String job : List.of("federate", "pretrain", "study")) {
      assertEquals(architectures, key(job, "architecture").choices(), job);
    }
    assertEquals(TrainConfig.OPTIMIZERS, key("federate", "optimizer").choices());
    assertEquals(TrainConfig.SCHEDULES, key("federate", "schedule").choices());
    assertEquals(Strategy.NAMES, key("federate", "strategy").choices());
    assertEquals(SslConfig.METHODS, key("pretrain", "method").choices());
    assertEquals(SslConfig.SCHEDULES, key("pretrain", "schedule").choices());
    assertEquals(SslConfig.EMA_SCHEDULES, key("pretrain", "ema_schedule").choices());
    assertEquals(SslConfig.METHODS, key("study", "pretrain.method").choices(), "the study forwards pretrain's keys");
  }

  @Test
  void aStudysForwardedDefaultsAreValuesTheRunJobsAccept() {
    Spec study = JobSpecs.schema("study").load(null, List.of("input=in", "output=out"));
    List<String> federate = new ArrayList<>(JobSpecs.STUDY_FEDERATE.settings(study));
    federate.addAll(List.of("input=x", "test=y", "output=z"));
    assertEquals("none", JobSpecs.schema("federate").load(null, federate).string("transfer.random_parts"));
    List<String> pretrain = new ArrayList<>(JobSpecs.STUDY_PRETRAIN.settings(study));
    pretrain.addAll(List.of("input=x", "output=z"));
    assertEquals(120, JobSpecs.schema("pretrain").load(null, pretrain).integer("epochs"));
  }

  @Test
  void federatesDefaultsAreTheLocalTrainersDefaults() {
    TrainConfig defaults = TrainConfig.builder().build();
    Map<String, Object> spec = JobSpecs.schema("federate").load(null, List.of("input=x", "test=y", "output=z"))
        .resolved();
    assertEquals(defaults.optimizer(), spec.get("optimizer"));
    assertEquals(defaults.learningRate(), ((Number) spec.get("learning_rate")).floatValue());
    assertEquals(defaults.momentum(), ((Number) spec.get("momentum")).floatValue());
    assertEquals(defaults.weightDecay(), ((Number) spec.get("weight_decay")).floatValue());
    assertEquals(defaults.schedule(), spec.get("schedule"));
    assertEquals(defaults.clipNorm(), ((Number) spec.get("clip_norm")).floatValue());
    assertEquals(defaults.batchSize(), spec.get("batch_size"));
    assertEquals(defaults.epochs(), spec.get("local_epochs"));
    assertEquals(defaults.classWeighted(), spec.get("class_weighted"));
    assertEquals(defaults.encoderLrScale(), ((Number) spec.get("transfer.encoder_lr_scale")).floatValue());
    assertEquals(defaults.frozenBatchNorm(), spec.get("transfer.frozen_bn"));
    assertEquals(defaults.standardizeHead(), spec.get("transfer.head_standardize"));
  }
}
