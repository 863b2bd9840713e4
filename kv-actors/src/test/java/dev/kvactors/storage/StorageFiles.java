package dev.kvactors.storage;

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

  static Mutation put(String key, String value) {
    return new Mutation.Put(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static Mutation remove(String key) {
    return new Mutation.Remove(key);
  }
}
