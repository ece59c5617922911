namespace GraphRec.Core.Kernels;

/// <summary>
/// Moves scores kept one column per row, <c>[items, stride]</c> as the filters' sparse products make them, to rows,
/// <c>[count, items]</c> as a top-K reads them.
/// </summary>
internal static class BlockTranspose
{
    /// <summary>Items a tile moves together: a tile's rows of the block stay in cache while each row out is written a whole cache line at a time.</summary>
    private const int Tile = 16;

    /// <summary>Items a thread moves at a time.</summary>
    private const int Run = 2048;

    /// <summary>
    /// <c>rows[b · items + j] = columns[j · stride + b]</c> for b below <paramref name="count"/> (≤ stride) and j below
    /// <paramref name="items"/>, in tiles of items (rows out can be a power of two apart, where writing them one item at a
    /// time would evict itself), runs of tiles in parallel.
    /// </summary>
    public static unsafe void ColumnsToRows(float* columns, int stride, int count, int items, float* rows)
    {
        nint source = (nint)columns, target = (nint)rows;
        int runs = Math.Max(1, items / Run);
        Parallel.For(0, runs, run =>
        {
            float* block = (float*)source;
            int end = run == runs - 1 ? items : (run + 1) * Run;
            for (int tile = run * Run; tile < end; tile += Tile)
            {
                int tileEnd = Math.Min(tile + Tile, end);
                for (int b = 0; b < count; b++)
                {
                    float* row = (float*)target + ((long)b * items);
                    for (int j = tile; j < tileEnd; j++)
                    {
                        row[j] = block[((long)j * stride) + b];
                    }
                }
            }
        });
    }
}
