package dev.kvactors.bench;

import dev.kvactors.internal.storage.Mutation;
import dev.kvactors.internal.storage.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks of the record codec: encoding one log record (CBOR payload + CRC-32C frame)
 * and decoding one payload, for an 11-byte key and a 100-byte value (the benchmark's record).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
  private RecordCodec codec;
  private ByteBuffer buffer;
  private Mutation.Put put;
  private byte[] payload;

  @Setup
  public void setup() throws IOException {
    codec = new RecordCodec();
    buffer = ByteBuffer.allocate(4096);
    byte[] value = new byte[100];
    Arrays.fill(value, (byte) 'v');
    put = new Mutation.Put("key-0001234", value);
    ByteBuffer frame = codec.appendRecord(put, ByteBuffer.allocate(256));
    frame.flip();
    payload = new byte[frame.getInt(0)];
    frame.get(RecordCodec.FRAME_HEADER_BYTES, payload);
    if (!RecordCodec.decodeRecord(payload).key().equals(put.key())) {
      throw new IllegalStateException("codec round trip failed");
    }
  }

  @Benchmark
  public ByteBuffer encodeRecord() {
    buffer.clear();
    return codec.appendRecord(put, buffer);
  }

  @Benchmark
  public Mutation decodeRecord() throws IOException {
    return RecordCodec.decodeRecord(payload);
  }

  @Benchmark
  public int checksumOnly() {
    return RecordCodec.checksum(payload, 0, payload.length);
  }
}
