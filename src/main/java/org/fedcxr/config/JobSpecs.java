package org.fedcxr.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** The one place where every job's spec keys, types, defaults and allowed values are declared. */
public final class JobSpecs {
  /** Strategies of the {@code partition} job. */
  public static final List<String> PARTITION_STRATEGIES = List.of("noniid", "iid", "dirichlet", "quantity-skew");
  /** Policies for CheXpert's uncertain (-1) labels. */
  public static final List<String> UNCERTAIN_POLICIES = List.of("ones", "zeros", "ignore");
  /** Names of the model architectures (the model stage builds them). */
  public static final List<String> ARCHITECTURES = List.of("resnet18", "resnet50", "densenet121", "small");

  /** The {@code federate} keys a study passes to its cells under their own names. */
  public static final Forwarding STUDY_FEDERATE = new Forwarding("federate", "",
      Set.of("input", "test", "output", "seed", "architecture", "init"));
  /** What a study's {@code ssl_recipe=independent} sets on its SSL cells, after the forwarded federate keys. */
  public static final List<String> INDEPENDENT_RECIPE = List.of("augment=false", "weight_decay=0", "clip_norm=0",
      "schedule=constant");
  /** The {@code pretrain} keys a study passes to its pretraining as {@code pretrain.<key>} (always the server pool). */
  public static final Forwarding STUDY_PRETRAIN = new Forwarding("pretrain", "pretrain.",
      Set.of("input", "output", "seed", "architecture", "split"));

  private static final Map<String, SpecSchema> SCHEMAS = new TreeMap<>();

  static {
    SpecKey seed = SpecKey.longValue("seed", 42L, "every random choice of the job derives from it");
    SpecKey catalog = SpecKey.string("catalog", "data-catalog",
        "directory of dataset descriptors; relative paths resolve against FEDCXR_HOME, else the working directory");
    SpecKey imageSize = SpecKey.integer("image_size", 128, 16, 1024, "output side length in pixels");

    List<SpecKey> ingest = List.of(
        SpecKey.string("dataset", null, "a dataset name from the catalog"),
        catalog,
        SpecKey.string("output", null, "where the images and quarantine tables go (file:, hdfs://, s3a://)"),
        seed,
        imageSize,
        SpecKey.optionalString("dataset_root", "overrides the catalog's location (the directory holding the images and the label table)"),
        SpecKey.optionalString("glob", "overrides the catalog's file-name filter, e.g. *.png"),
        SpecKey.number("split.server", 0.4, 0, 1, "share of patients for self-supervised pretraining"),
        SpecKey.number("split.client", 0.4, 0, 1, "share of patients for the federated clients"),
        SpecKey.number("split.val", 0.0, 0, 1, "share of patients for the validation set (carved from the top of the "
            + "client pool's range: server pool and test set stay the same images), where recipes are chosen"),
        SpecKey.number("split.test", 0.2, 0, 1, "share of patients for the test set"),
        SpecKey.integer("min_source_px", 64, 1, 65536, "an image whose shorter side is below this is quarantined"),
        SpecKey.integer("max_source_px", 16384, 1, 65536, "an image whose longer side is above this is quarantined"),
        SpecKey.optionalChoice("uncertain_policy", UNCERTAIN_POLICIES,
            "overrides the catalog's policy for uncertain (-1) labels"));
    register("ingest", ingest, List.of(JobSpecs::splitsSumToOne));

    List<SpecKey> partition = List.of(
        SpecKey.string("input", null, "output location of an ingest job"),
        SpecKey.string("output", null, "where the clients table and report go"),
        seed,
        SpecKey.integer("clients", 10, 1, 100_000, "number of simulated clients K"),
        SpecKey.choice("strategy", "noniid", PARTITION_STRATEGIES, "how the client pool is divided"),
        SpecKey.number("size_alpha", 1.0, 0.01, 1000, "Dirichlet concentration of the client sizes"
            + " (noniid, quantity-skew); small = very unequal"),
        SpecKey.number("dirichlet_alpha", 0.5, 0.001, 1000, "Dirichlet concentration of each class over the clients"
            + " (dirichlet); small = strong label skew"),
        SpecKey.number("fraction", 1.0, Double.MIN_VALUE, 1, "share of each client's images kept; nested across"
            + " values for one seed"));
    register("partition", partition, List.of());

    List<SpecKey> demo = List.of(
        SpecKey.string("dataset", "nih-cxr14-bundled", "a dataset name from the catalog"),
        catalog,
        SpecKey.string("output", "runs/demo", "the demo writes ingest/, partition/ and federate/ under it"),
        seed,
        imageSize,
        SpecKey.integer("clients", 10, 1, 100_000, "number of simulated clients K"),
        SpecKey.choice("architecture", "small", ARCHITECTURES, "the federated model (the encoder's architecture)"),
        SpecKey.string("encoder", "data-catalog/nih-cxr14-bundled/encoder-small-byol.safetensors", "the "
            + "self-supervised encoder of the ssl: run; relative paths resolve against FEDCXR_HOME"),
        SpecKey.integer("rounds", 10, 1, 100_000, "federated rounds of each run"));
    register("demo", demo, List.of());

    List<SpecKey> synthesize = List.of(
        SpecKey.string("output", null, "directory for images/ and Data_Entry_2017.csv"),
        seed,
        SpecKey.integer("count", 200, 1, 10_000_000, "number of images"),
        SpecKey.integer("image_size", 256, 16, 4096, "side length of the generated PNGs"),
        SpecKey.integer("images_per_patient", 2, 1, 100, "images of one synthetic patient"));
    register("synthesize", synthesize, List.of());

    List<SpecKey> federate = List.of(
        SpecKey.string("input", null, "output location of a partition job (the clients)"),
        SpecKey.string("test", null, "output location of an ingest job (its eval_split is evaluated)"),
        SpecKey.choice("eval_split", "test", List.of("test", "val"), "the ingest split scored each round: val to "
            + "choose settings, test only for published numbers"),
        SpecKey.string("output", null, "the run store: rounds/, metrics, final weights, charts"),
        seed,
        SpecKey.choice("architecture", "resnet18", ARCHITECTURES, "the model"),
        SpecKey.string("init", "random", "random, ssl:<encoder.safetensors> (fresh head) or global:<checkpoint>"),
        SpecKey.integer("rounds", 10, 1, 100_000, "federated rounds"),
        SpecKey.integer("local_epochs", 1, 1, 1000, "epochs each client trains per round"),
        SpecKey.integer("batch_size", 32, 1, 4096, "local batch size"),
        SpecKey.choice("optimizer", "adam", List.of("adam", "sgd"), "client optimizer"),
        SpecKey.number("learning_rate", 1e-3, 1e-8, 10, "client learning rate"),
        SpecKey.number("momentum", 0.9, 0, 0.999, "SGD momentum"),
        SpecKey.number("weight_decay", 1e-4, 0, 1, "client weight decay"),
        SpecKey.choice("schedule", "cosine", List.of("constant", "cosine"), "client learning-rate schedule per round"),
        SpecKey.number("clip_norm", 5.0, 0, 1e6, "gradient global-norm clip; 0 = off"),
        SpecKey.bool("class_weighted", false, "weight positives by local negatives/positives"),
        SpecKey.bool("head_prior", false, "random or ssl: init: the head's bias starts at each label's log-odds over "
            + "the clients' images (the server gets each client's label counts once)"),
        SpecKey.bool("augment", true, "random resized crop, rotation, brightness/contrast"),
        SpecKey.number("transfer.encoder_lr_scale", 1.0, 0, 100, "ssl: init only: the encoder's learning rate as "
            + "a share of the head's (0 freezes it)"),
        SpecKey.bool("transfer.frozen_bn", false, "ssl: init only: the encoder's BatchNorm keeps its pretrained "
            + "running statistics"),
        SpecKey.integer("transfer.head_rounds", 0, 0, 100_000, "ssl: init only: first rounds in which clients train "
            + "the head alone (encoder and its statistics frozen), then fine-tune all"),
        SpecKey.number("transfer.pretrained_share", 1.0, 0, 1, "ssl: init only: the initial encoder is this share "
            + "of the pretrained weights plus the rest of the seeded random ones (1 = as pretrained)"),
        SpecKey.string("transfer.random_parts", "none", "ssl: init only: comma-separated top-level encoder parts (e.g. "
            + "layer4) that start from the seeded random weights instead of the pretrained ones, or none"),
        SpecKey.bool("transfer.head_standardize", false, "ssl: init only: clients train the head on their features "
            + "standardised by their own mean and std (a reparametrisation: they return a plain head)"),
        SpecKey.number("client_fraction", 1.0, 1e-6, 1, "share of clients sampled per round"),
        SpecKey.choice("strategy", "fedavg", List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedbn"),
            "aggregation strategy"),
        SpecKey.number("prox_mu", 0.01, 0, 100, "FedProx proximal weight"),
        SpecKey.number("server_lr", 0.01, 1e-6, 10, "FedAdam/FedYogi server learning rate"),
        SpecKey.integer("min_clients", 1, 1, 100_000, "a round with fewer reporting clients fails the job"),
        SpecKey.number("round_deadline", 0.0, 0, 1e7, "seconds after which a round drops the clients still training "
            + "or not started (0: none; trades determinism for time, see docs/operations.md)"),
        SpecKey.integer("groups", 0, 0, 1_000_000, "client groups G, one task and one partial sum each (0: twice "
            + "the executors; 1 in local mode; set it to get the same weights on clusters of other sizes)"),
        SpecKey.integer("eval_every", 1, 1, 100_000, "evaluate on the test set every this many rounds (and last)"),
        SpecKey.integer("keep_checkpoints", 0, 0, 100_000, "rounds/ keeps the weights of only the last this many "
            + "rounds (0: all); final.safetensors and every round's report stay"),
        SpecKey.integer("eval_batch_size", 64, 1, 4096, "batch size when scoring the test set"),
        SpecKey.integer("threads", 1, 1, 256, "libtorch threads outside Spark tasks (inside: spark.task.cpus)"));
    register("federate", federate, List.of(JobSpecs::initIsKnown));

    List<SpecKey> evaluate = List.of(
        SpecKey.string("weights", null, "a checkpoint (safetensors) of any run"),
        SpecKey.string("input", null, "output location of an ingest job"),
        SpecKey.choice("split", "test", List.of("test", "val", "client", "server", "all"), "which images to score"),
        SpecKey.string("output", null, "where the metrics go"),
        SpecKey.optionalChoice("architecture", ARCHITECTURES, "default: the checkpoint's metadata"),
        SpecKey.integer("batch_size", 64, 1, 4096, "scoring batch size"));
    register("evaluate", evaluate, List.of());

    List<SpecKey> predict = List.of(
        SpecKey.string("weights", null, "a trained checkpoint (federate's final.safetensors)"),
        SpecKey.string("input", null, "a folder of images, no label table needed (file:, hdfs://, s3a://)"),
        SpecKey.string("glob", "*.{png,PNG,jpg,JPG,jpeg,JPEG}", "which files of the folder (searched recursively)"),
        SpecKey.string("output", null, "where predictions/, quarantine/ and _SUMMARY.json go"),
        SpecKey.optionalString("thresholds", "a thresholds CSV (evaluate's thresholds.csv, or label,threshold lines): "
            + "findings at or above them; none: no findings column values"),
        SpecKey.integer("image_size", 0, 0, 1024, "side length the images are resized to (0: the checkpoint's)"),
        SpecKey.optionalChoice("architecture", ARCHITECTURES, "default: the checkpoint's metadata"),
        SpecKey.optionalString("dataset", "a catalog dataset naming the labels, for checkpoints without them"),
        catalog,
        SpecKey.integer("min_source_px", 64, 1, 65536, "an image whose shorter side is below this is quarantined"),
        SpecKey.integer("max_source_px", 16384, 1, 65536, "an image whose longer side is above this is quarantined"),
        SpecKey.integer("batch_size", 64, 1, 4096, "scoring batch size"));
    register("predict", predict, List.of());

    List<SpecKey> pretrain = List.of(
        SpecKey.optionalString("input", "output location of an ingest job (or set images)"),
        SpecKey.choice("split", "server", List.of("server", "all"), "the server pool, or every image (labels unused)"),
        SpecKey.optionalString("images", "instead of input: a folder of unlabelled images (file:, hdfs://, s3a://), "
            + "decoded and resized as ingest does, bad files quarantined"),
        SpecKey.string("images_glob", "*.{png,PNG,jpg,JPG,jpeg,JPEG}", "images: which files (searched recursively)"),
        SpecKey.integer("image_size", 128, 16, 1024, "images: the side length they are resized to"),
        SpecKey.integer("min_source_px", 64, 1, 65536, "images: a shorter side below this is quarantined"),
        SpecKey.integer("max_source_px", 16384, 1, 65536, "images: a longer side above this is quarantined"),
        SpecKey.string("output", null, "run store, encoder.safetensors, losses, charts"),
        seed,
        SpecKey.choice("architecture", "resnet18", ARCHITECTURES, "the encoder"),
        SpecKey.choice("method", "byol", List.of("byol", "simsiam"), "instance-discrimination variant"),
        SpecKey.choice("sr_layer", "spectral-residual", List.of("none", "spectral-residual"),
            "SR-layer in the projection head"),
        SpecKey.integer("epochs", 20, 1, 100_000, "pretraining epochs"),
        SpecKey.integer("batch_size", 32, 2, 4096, "batch size"),
        SpecKey.number("learning_rate", 1e-3, 1e-8, 10, "Adam's base learning rate"),
        SpecKey.choice("schedule", "warmup-cosine", List.of("constant", "warmup-cosine"),
            "learning rate per step: constant, or linear warm-up then cosine decay to 0 over the run"),
        SpecKey.integer("warmup_epochs", 2, 0, 100_000, "warm-up length (warmup-cosine); less than epochs"),
        SpecKey.number("weight_decay", 1e-6, 0, 1, "weight decay"),
        SpecKey.choice("optimizer_state", "run", List.of("run", "epoch"), "Adam's moments and bias correction: "
            + "kept for the whole run, or restarted every epoch (the learning rate follows the run's step either way)"),
        SpecKey.number("ema", 0.99, 0, 1, "BYOL target momentum τ (its start value under ema_schedule cosine)"),
        SpecKey.choice("ema_schedule", "cosine", List.of("constant", "cosine"),
            "τ constant, or rising from ema to 1 by a cosine over the run's steps"),
        SpecKey.integer("hidden", 1024, 1, 65536, "projector/predictor hidden width"),
        SpecKey.integer("dim", 128, 1, 65536, "embedding dimension"),
        SpecKey.bool("joint_views", false, "both views through each branch as one batch of 2 x batch_size (faster; "
            + "BatchNorm statistics then cover both views)"),
        SpecKey.integer("workers", 1, 1, 100_000, "data-parallel workers (Spark tasks), averaged every sync_every"
            + " epochs"),
        SpecKey.integer("sync_every", 1, 1, 100_000, "epochs each worker trains per Spark task, between averagings"
            + " and checkpoints (with one worker the encoder does not depend on it)"),
        SpecKey.integer("threads", 1, 1, 256, "libtorch threads outside Spark tasks"),
        SpecKey.number("aug.crop_p", 1.0, 0, 1, "probability of a random resized crop"),
        SpecKey.number("aug.min_scale", 0.3, 0.01, 1, "smallest crop area share"),
        SpecKey.number("aug.rotate_p", 0.5, 0, 1, "probability of a rotation"),
        SpecKey.number("aug.max_degrees", 10.0, 0, 180, "largest rotation"),
        SpecKey.number("aug.color_p", 0.8, 0, 1, "probability of brightness/contrast/gamma jitter"),
        SpecKey.number("aug.brightness", 0.2, 0, 1, "brightness jitter (share of 255)"),
        SpecKey.number("aug.contrast", 0.2, 0, 1, "contrast jitter"),
        SpecKey.number("aug.gamma", 0.2, 0, 2, "log-gamma jitter"),
        SpecKey.number("aug.blur_p", 0.5, 0, 1, "probability of a Gaussian blur"),
        SpecKey.number("aug.noise_p", 0.3, 0, 1, "probability of Gaussian noise"),
        SpecKey.number("aug.noise_std", 8.0, 0, 128, "noise standard deviation (gray levels)"),
        SpecKey.number("aug.flip_p", 0.0, 0, 1, "probability of a horizontal flip (off: it swaps the heart's side)"),
        SpecKey.number("aug.edge_p", 0.5, 0, 1, "probability of the edge-component blend"),
        SpecKey.number("aug.edge_min", 0.2, 0, 1, "smallest edge blend weight"),
        SpecKey.number("aug.edge_max", 0.6, 0, 1, "largest edge blend weight"));
    register("pretrain", pretrain, List.of(s -> warmupFits(s, ""), JobSpecs::oneImageSource));

    List<SpecKey> probe = List.of(
        SpecKey.string("encoder", null, "an encoder export (encoder.safetensors) or random"),
        SpecKey.string("input", null, "output location of an ingest job"),
        SpecKey.choice("train_split", "client", List.of("client", "server"), "labelled images the probe is fit on"),
        SpecKey.optionalString("train_partition", "a partition job's output (of the same ingest): the probe is fit on "
            + "its clients' images pooled instead of train_split"),
        SpecKey.choice("eval_split", "test", List.of("test", "val"), "the split the probe is scored on"),
        SpecKey.string("output", null, "where the probe's metrics go"),
        seed,
        SpecKey.optionalChoice("architecture", ARCHITECTURES, "default: the encoder's metadata (required for random)"),
        SpecKey.integer("batch_size", 64, 1, 4096, "feature extraction batch"),
        SpecKey.choice("bn_statistics", "encoder", List.of("encoder", "server"), "the encoder's BatchNorm running "
            + "statistics: as stored, or recomputed on the server pool's images (un-augmented, batches of 32)"),
        SpecKey.number("reg_param", 0.01, 0, 100, "L2 regularisation of the logistic regressions"),
        SpecKey.integer("max_iter", 100, 1, 10_000, "iterations of each logistic regression"));
    register("probe", probe, List.of());

    List<SpecKey> study = new ArrayList<>(List.of(
        SpecKey.string("input", null, "output location of an ingest job: its server pool pretrains, its client pool "
            + "is partitioned, its test split evaluates"),
        SpecKey.string("output", null, "the study's directory: pretrain/, partitions/, cells/, report/"),
        seed,
        SpecKey.integer("seeds", 3, 1, 1000, "every cell runs with seeds seed, seed+1, ..."),
        SpecKey.string("fractions", "0.5,0.25,0.1,0.05,0.01", "shares of each client's data for the low-data "
            + "figure (comma-separated, each in (0, 1)); none = no low-data cells"),
        SpecKey.bool("iid_reference", false, "add IID cells (random and SSL init, all data) as a reference"),
        SpecKey.choice("ssl_recipe", "federate", List.of("federate", "independent"), "SSL cells' recipe: the "
            + "federate keys given to every cell, or those with " + String.join(" ", INDEPENDENT_RECIPE)
            + " (the independent implementation's); random cells always take the federate keys"),
        SpecKey.integer("clients", 10, 1, 100_000, "number of simulated clients K"),
        SpecKey.number("size_alpha", 1.0, 0.01, 1000, "Dirichlet concentration of the non-IID client sizes"),
        SpecKey.choice("architecture", "resnet18", ARCHITECTURES, "the encoder and federated model"),
        SpecKey.optionalString("encoder", "reuse this pretraining export (encoder.safetensors) instead of "
            + "pretraining"),
        SpecKey.integer("pretrainings", 1, 1, 100, "SSL encoders pretrained, with seeds seed, seed+1, ...; the SSL "
            + "cells of the i-th seed start from the (i mod this)-th, so the SSL arm spans pretraining draws"),
        SpecKey.integer("parallel_cells", 1, 1, 1000, "cells trained at once (1 on one machine; on a cluster, about "
            + "executors / clients)")));
    study.addAll(STUDY_FEDERATE.keys(federate, Map.of("rounds", 15, "keep_checkpoints", 1)));
    study.addAll(STUDY_PRETRAIN.keys(pretrain, Map.of("epochs", 120)));
    register("study", study, List.of(JobSpecs::fractionsAreValid, JobSpecs::onePretrainingForAGivenEncoder,
        s -> warmupFits(s, STUDY_PRETRAIN.prefix())));

    List<SpecKey> bench = List.of(
        SpecKey.choice("suite", "ingest", List.of("ingest", "train", "pretrain", "memory", "rounds", "predict",
            "optimizer", "ops"),
            "what to measure"),
        SpecKey.string("output", "runs/bench", "where the inputs, outputs and the summary go"),
        seed,
        SpecKey.integer("count", 200, 2, 1_000_000, "number of source images (ingest, predict)"),
        SpecKey.integer("source_px", 1024, 16, 8192, "side of the source PNGs (NIH's are 1024)"),
        imageSize,
        SpecKey.string("imagemagick", "/usr/bin/convert", "ImageMagick's convert to compare with; 'none' skips"),
        SpecKey.choice("architecture", "resnet18", ARCHITECTURES, "model of the train, pretrain, memory, predict and "
            + "ops suites"),
        SpecKey.integer("threads", 2, 1, 256, "libtorch intra-op threads (train, pretrain, memory, optimizer, ops)"),
        SpecKey.integer("trainings", 1, 1, 256, "trainings at once in this JVM, each with 'threads' threads (train)"),
        SpecKey.integer("batch_size", 32, 1, 4096, "batch of the train, pretrain, predict and ops suites"),
        SpecKey.integer("train_steps", 10, 1, 100_000, "timed steps per image size (train, pretrain); timed "
            + "repetitions (optimizer); steps of each epoch (ops)"),
        SpecKey.integer("profiled_steps", 1, 1, 100_000, "steps of the second epoch libtorch's profiler records, "
            + "from its first (ops; at most train_steps)"),
        SpecKey.integer("memory_steps", 500, 50, 1_000_000, "training steps of the memory suite"),
        SpecKey.integer("memory_batch_size", 8, 1, 4096, "batch of the memory suite"),
        SpecKey.integer("memory_image_size", 64, 16, 1024, "image side of the memory suite"),
        SpecKey.integer("memory_trainings", 8, 2, 10_000, "trainings, each on a new thread, of the memory suite's "
            + "second part (batch_size, image_size, two batches each)"),
        SpecKey.integer("clients", 10, 1, 1_000_000, "simulated clients (rounds)"),
        SpecKey.integer("images_per_client", 64, 1, 1_000_000, "synthetic images per client (rounds)"),
        SpecKey.integer("rounds", 3, 2, 1000, "federated rounds (rounds); the first is warm-up"),
        SpecKey.integer("groups", 0, 0, 1_000_000, "client groups G of the rounds suite (0: as federate)"));
    register("bench", bench, List.of(JobSpecs::profiledStepsFit));
  }

  private JobSpecs() {
  }

  /** The schema of a job, or a {@link SpecException} listing the known jobs. */
  public static SpecSchema schema(String job) {
    SpecSchema schema = SCHEMAS.get(job);
    if (schema == null) {
      throw new SpecException("unknown job '" + job + "'; jobs: " + String.join(", ", SCHEMAS.keySet()));
    }
    return schema;
  }

  /**
   * How a job that runs another job (the study) exposes that job's keys: every key but the {@code excluded} ones (which
   * the running job sets itself), named {@code prefix + key}, with the same type and checks.
   */
  public record Forwarding(String job, String prefix, Set<String> excluded) {
    public Forwarding {
      excluded = Set.copyOf(excluded);
    }

    /** The forwarded keys of {@code jobKeys} (that job's schema), with some defaults replaced. */
    List<SpecKey> keys(List<SpecKey> jobKeys, Map<String, Object> defaults) {
      return jobKeys.stream().filter(k -> !excluded.contains(k.name())).map(k -> k.renamed(prefix + k.name(),
          defaults.getOrDefault(k.name(), k.defaultValue()))).toList();
    }

    /** Whether {@code key} of the running job's spec is one of the forwarded keys. */
    public boolean covers(String key) {
      if (!key.startsWith(prefix)) {
        return false;
      }
      String name = key.substring(prefix.length());
      return !excluded.contains(name) && schema(job).keys().containsKey(name);
    }

    /** The forwarded values of {@code spec} as {@code key=value} settings for {@link #job}. */
    public List<String> settings(Spec spec) {
      List<String> out = new ArrayList<>();
      spec.resolved().forEach((key, value) -> {
        if (value != null && covers(key)) {
          out.add(key.substring(prefix.length()) + "=" + value);
        }
      });
      return out;
    }
  }

  private static void register(String job, List<SpecKey> keys, List<Consumer<Spec>> checks) {
    SCHEMAS.put(job, new SpecSchema(job, new ArrayList<>(keys), checks));
  }

  private static void oneImageSource(Spec spec) {
    if ((spec.string("input") == null) == (spec.string("images") == null)) {
      throw new SpecException(spec.source() + ": set exactly one of 'input' (an ingest output) and 'images' (a folder "
          + "of unlabelled images)");
    }
  }

  private static void initIsKnown(Spec spec) {
    String init = spec.string("init");
    if (!init.equals("random") && !(init.startsWith("ssl:") && init.length() > 4)
        && !(init.startsWith("global:") && init.length() > 7)) {
      throw new SpecException(spec.source() + ": key 'init' has value '" + init
          + "', but it must be random, ssl:<encoder weights> or global:<checkpoint>");
    }
    if (init.startsWith("global:") && spec.bool("head_prior")) {
      throw new SpecException(spec.source() + ": key 'head_prior' is true, but init '" + init + "' continues a "
          + "trained head; the prior bias is for a fresh head (random or ssl: init)");
    }
  }

  /** The {@code fractions} key of a study as numbers; a {@link SpecException} names the bad entry. */
  public static List<Double> fractions(Spec spec) {
    List<Double> out = new ArrayList<>();
    for (String part : spec.list("fractions")) {
      double f;
      try {
        f = Double.parseDouble(part);
      } catch (NumberFormatException e) {
        throw new SpecException(spec.source() + ": key 'fractions' has entry '" + part
            + "', but it must be a number in (0, 1)");
      }
      if (!(f > 0 && f < 1)) {
        throw new SpecException(spec.source() + ": key 'fractions' has entry " + part
            + ", but each must be in (0, 1) (all data, 1, is always a cell)");
      }
      if (out.contains(f)) {
        throw new SpecException(spec.source() + ": key 'fractions' lists " + part + " twice");
      }
      out.add(f);
    }
    return out;
  }

  private static void fractionsAreValid(Spec spec) {
    fractions(spec);
  }

  private static void onePretrainingForAGivenEncoder(Spec spec) {
    if (spec.string("encoder") != null && spec.integer("pretrainings") > 1) {
      throw new SpecException(spec.source() + ": key 'pretrainings' is " + spec.integer("pretrainings")
          + ", but 'encoder' gives one encoder and the study pretrains none: leave 'pretrainings' at 1 or drop "
          + "'encoder'");
    }
  }

  private static void warmupFits(Spec spec, String prefix) {
    if (spec.string(prefix + "schedule").equals("warmup-cosine")
        && spec.integer(prefix + "warmup_epochs") >= spec.integer(prefix + "epochs")) {
      throw new SpecException(spec.source() + ": key '" + prefix + "warmup_epochs' is "
          + spec.integer(prefix + "warmup_epochs") + ", but the warm-up must be shorter than '" + prefix
          + "epochs' (" + spec.integer(prefix + "epochs") + ")");
    }
  }

  private static void profiledStepsFit(Spec spec) {
    if (spec.integer("profiled_steps") > spec.integer("train_steps")) {
      throw new SpecException(spec.source() + ": key 'profiled_steps' is " + spec.integer("profiled_steps")
          + ", but the profiler records steps of one epoch of 'train_steps' (" + spec.integer("train_steps") + ")");
    }
  }

  private static void splitsSumToOne(Spec spec) {
    double sum = spec.number("split.server") + spec.number("split.client") + spec.number("split.val")
        + spec.number("split.test");
    if (Math.abs(sum - 1.0) > 1e-9) {
      throw new SpecException(spec.source() + ": keys 'split.server', 'split.client', 'split.val', 'split.test' are "
          + spec.number("split.server") + ", " + spec.number("split.client") + ", " + spec.number("split.val") + ", "
          + spec.number("split.test") + " (sum " + sum + "), but they must sum to 1");
    }
  }
}
