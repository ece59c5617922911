using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;

namespace GraphRec.Data;

/// <summary>
/// Reads a zip entry and, at its end, checks the bytes read against the CRC-32 and the size the archive records for
/// it. <see cref="ZipArchiveEntry.Open()"/> checks neither, so an entry whose bytes were altered (a stored entry above
/// all) would otherwise be read as if it were intact.
/// </summary>
internal sealed class CheckedZipEntryStream(Stream inner, uint expectedCrc, long expectedLength) : Stream
{
    private readonly Crc32 _crc = new();
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => expectedLength;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public static Stream Open(ZipArchiveEntry entry) => new CheckedZipEntryStream(entry.Open(), entry.Crc32, entry.Length);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Account(buffer, inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Account(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
            _read += read;
        }
        else if (buffer.Length > 0)
        {
            uint actual = _crc.GetCurrentHashAsUInt32();
            if (_read != expectedLength || actual != expectedCrc)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"its {_read:N0} bytes have CRC-32 {actual:x8}, where the archive records {expectedLength:N0} bytes with CRC-32 {expectedCrc:x8}"));
            }
        }

        return read;
    }
}
