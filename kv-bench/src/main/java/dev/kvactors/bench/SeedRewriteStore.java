package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The original design's writer, as the baseline: one writer (a single thread, like the writer
 * actor processing its channel one message at a time) that on every {@code set} puts the entry in
 * its map, serializes the <em>whole</em> map to JSON with Jackson and rewrites {@code data.json}
 * (create/truncate + write). Like the original it never calls fsync. A {@code set} completes once
 * its rewrite has been handed to the OS (the original acknowledged even earlier; its writer then
 * fell behind, so the sustained rate is the same: one full rewrite per set).
 *
 * <p>Values are {@code byte[]}, which Jackson writes as base64 strings (the original's serde wrote
 * {@code Vec<u8>} as arrays of numbers, a larger file: this baseline is if anything faster).
 */
public final class SeedRewriteStore implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, byte[]> map;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "seed-writer");
    t.setDaemon(true);
    return t;
  });

  private SeedRewriteStore(Path file, Map<String, byte[]> map) {
    this.file = requireNonNull(file, "file is null");
    this.map = requireNonNull(map, "map is null");
  }

  /** Loads {@code data.json} in {@code dir} (a missing file is an empty map, as in the original). */
  public static SeedRewriteStore open(Path dir) throws IOException {
    Path file = dir.resolve("data.json");
    Map<String, byte[]> map;
    try {
      map = JSON.readValue(Files.readAllBytes(file), new TypeReference<HashMap<String, byte[]>>() {});
    } catch (NoSuchFileException e) {
      map = new HashMap<>();
    }
    return new SeedRewriteStore(file, map);
  }

  /** Puts every entry and rewrites the file once (to seed the store before a run). */
  public void putAll(Map<String, byte[]> entries) {
    CompletableFuture.runAsync(() -> {
      map.putAll(entries);
      rewrite();
    }, writer).join();
  }

  public CompletableFuture<Void> set(String key, byte[] value) {
    byte[] copy = value.clone();
    return CompletableFuture.runAsync(() -> {
      map.put(key, copy);
      rewrite();
    }, writer);
  }

  public CompletableFuture<byte[]> get(String key) {
    return CompletableFuture.supplyAsync(() -> map.get(key), writer);
  }

  public Path file() {
    return file;
  }

  private void rewrite() {
    try {
      Files.write(file, JSON.writeValueAsBytes(map));
    } catch (IOException e) {
      throw new UncheckedIOException("rewriting " + file + " failed", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    writer.shutdown();
    if (!writer.awaitTermination(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the seed writer did not stop within 60 s");
    }
  }
}
