using CsCheck;

namespace GraphRec.Tests.Fuzzing;

/// <summary>One edit of a file: what, where (a fraction of the length, in millionths) and the bytes it uses.</summary>
/// <param name="Kind">0 insert, 1 overwrite, 2 delete, 3 cut the rest, 4 repeat a 40-byte slice.</param>
/// <param name="Where">The position, in millionths of the file's length.</param>
/// <param name="Bytes">What is inserted or written; its length also sizes deletions and repeats.</param>
public sealed record FileMutation(int Kind, int Where, byte[] Bytes)
{
    /// <summary>Digits and separators make edits that still parse as far as a field; control bytes, marks and quotes the rest.</summary>
    private static readonly Gen<byte> Interesting = CsCheck.Gen.Frequency(
        (4, CsCheck.Gen.Byte[(byte)'0', (byte)'9']),
        (3, CsCheck.Gen.OneOf<byte>([9, 10, 13, 0, 27, 7, (byte)':', (byte)'|', (byte)',', (byte)'"', (byte)'-', (byte)'.', (byte)' ', 0xEF, 0xBB, 0xBF, 0xFF, 0xFE])),
        (2, CsCheck.Gen.Byte));

    /// <summary>A random edit.</summary>
    public static Gen<FileMutation> Random { get; } =
        CsCheck.Gen.Select(CsCheck.Gen.Int[0, 4], CsCheck.Gen.Int[0, 1_000_000], Interesting.Array[0, 12], (kind, where, bytes) => new FileMutation(kind, where, bytes));

    /// <summary>The file after this edit.</summary>
    public byte[] Apply(byte[] file)
    {
        int at = (int)((long)file.Length * Where / 1_000_000);
        return Kind switch
        {
            0 => [.. file.AsSpan(0, at), .. Bytes, .. file.AsSpan(at)],
            1 => [.. file.AsSpan(0, at), .. Bytes, .. file.AsSpan(Math.Min(file.Length, at + Bytes.Length))],
            2 => [.. file.AsSpan(0, at), .. file.AsSpan(Math.Min(file.Length, at + 1 + (Bytes.Length * 4)))],
            3 => file[..at],
            _ => [.. file.AsSpan(0, at), .. Enumerable.Repeat(file[at..Math.Min(file.Length, at + 40)], 1 + (Bytes.Length * 50)).SelectMany(b => b), .. file.AsSpan(at)],
        };
    }

    /// <summary>The file after all <paramref name="edits"/>, in order.</summary>
    public static byte[] ApplyAll(byte[] file, IEnumerable<FileMutation> edits) => edits.Aggregate(file, (bytes, edit) => edit.Apply(bytes));

    /// <inheritdoc />
    public override string ToString() => $"{Kind}@{Where}:{Convert.ToHexString(Bytes)}";

    /// <summary>How many cases each property runs: 150 in CI, or <c>GRAPHREC_FUZZ_CASES</c>.</summary>
    public static long Cases { get; } = long.TryParse(Environment.GetEnvironmentVariable("GRAPHREC_FUZZ_CASES"), out long n) && n > 0 ? n : 150;
}
