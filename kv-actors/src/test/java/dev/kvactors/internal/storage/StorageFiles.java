package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** Test helper: writes logs the way the file writer does. */
final class StorageFiles {
  private StorageFiles() {}

  /** Creates log {@code generation} holding {@code mutations}; returns the offset of each record and the end. */
  static long[] writeLog(Path dir, long generation, List<Mutation> mutations) throws IOException {
    long[] offsets = new long[mutations.size() + 1];
    RecordCodec codec = new RecordCodec();
    try (RecordLog log = RecordLog.create(dir, generation)) {
      for (int i = 0; i < mutations.size(); i++) {
        offsets[i] = log.size();
        log.write(codec.appendRecord(mutations.get(i), ByteBuffer.allocate(64)).flip());
      }
      offsets[mutations.size()] = log.size();
      log.sync();
    }
    return offsets;
  }

  /**
   * Writes a manifest naming logs {@code first..last} (the lengths of those before the newest as
   * they are now) as a running store leaves it: not a clean shutdown.
   */
  static Manifest manifest(Path dir, boolean snapshot, long first, long last) throws IOException {
    List<Long> sealed = new java.util.ArrayList<>();
    for (long g = first; g < last; g++) {
      Path log = Filenames.log(dir, g);
      sealed.add(java.nio.file.Files.exists(log) ? java.nio.file.Files.size(log) : 0L);
    }
    Manifest m = new Manifest(snapshot, first, last, sealed, false, -1);
    m.write(dir);
    return m;
  }

  /** Writes a manifest naming the snapshot and logs that are in {@code dir} now (see {@link #manifest}). */
  static Manifest describe(Path dir) throws IOException {
    List<Long> gens = Filenames.logGenerations(dir);
    boolean snapshot = java.nio.file.Files.exists(Filenames.snapshot(dir));
    long first = snapshot ? Snapshot.read(Filenames.snapshot(dir)).firstLogGeneration()
        : gens.isEmpty() ? 1 : gens.get(0);
    long last = gens.isEmpty() ? first - 1 : gens.get(gens.size() - 1);
    return manifest(dir, snapshot, first, last);
  }

  static Mutation put(String key, String value) {
    return new Mutation.Put(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static Mutation remove(String key) {
    return new Mutation.Remove(key);
  }
}
