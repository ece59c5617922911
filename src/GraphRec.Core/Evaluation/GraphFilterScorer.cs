using System.Runtime.InteropServices;
using GraphRec.Core.Kernels;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// GF-CF (Shen et al., "How Powerful is Graph Convolution for Recommendation?", CIKM 2021): a training-free graph
/// filter over the normalized interaction matrix, the same normalization as LightGCN's Â:
/// <code>
///   R̃   = D_U^-1/2 R D_I^-1/2                         (R the binary users x items training matrix)
///   s_u = r_u R̃ᵀ R̃  +  α · r_u D_I^-1/2 V_k V_kᵀ D_I^1/2
/// </code>
/// with V_k the top-k right singular vectors of R̃ (<see cref="RandomizedSvd"/>): a linear low-pass filter plus an ideal
/// one. A user is scored from its own interaction row, so any row of items can be scored, a new user's too.
/// </summary>
/// <remarks>
/// The item x item matrix R̃ᵀR̃ is never made. The linear part is two sparse hops for a batch of up to
/// <see cref="BatchColumns"/> rows at once: <c>W = R̃ rᵀ</c>, one column per row (the users who share an item with it,
/// a few thousand operations per row), then the scored items' rows of <c>R̃ᵀ W</c>, one sparse–dense product
/// (<see cref="CsrKernel.MultiplyRectangularRows"/>) that streams each non-zero of those items once for the whole batch.
/// The ideal part is <c>(r_u D^-1/2 V_k)</c>, k numbers, times <c>V_kᵀ D^1/2</c>, a dense product per batch of users. A
/// block of items costs its share of both, so an evaluation scores many users against one block of items at a time
/// (<see cref="ItemsPerCall"/>). A single whole row (a visitor's request, similar items) takes the two hops through the
/// row's own neighbourhood instead, the same sums in another order.
/// </remarks>
internal sealed class GraphFilterScorer : IFilterScorer
{
    private readonly Interactions _train;
    private readonly float[] _userItemWeights; // R̃'s entries at the training interactions' CSR positions (by user)
    private readonly CsrPartition _byItem;   // R̃ᵀ, [items, users]: each item's users in ascending order, with R̃'s entries
    private readonly float[] _basis;         // V_k, [items, k]
    private readonly float[] _itemScale;     // D_I^-1/2's diagonal: V_k's rows are scaled as they are summed, not kept scaled
    private readonly Tensor _basisBack;      // V_kᵀ D_I^1/2, [k, items]
    private readonly int _rank;
    // Kept between calls so that their pages are not faulted in again, one of each at most (a concurrent call makes its
    // own): W and the block of a batched call, and a single row's r R̃ᵀ, all zeros between calls.
    private HopBuffers? _keptHops;
    private float[]? _keptRowHop;

    /// <summary>The filter of <paramref name="train"/> with V_k computed by <see cref="RandomizedSvd"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="SpectralFilterOptions.Validate"/>).</exception>
    public static GraphFilterScorer Fit(Interactions train, SpectralFilterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        OptionChecks.RequireSvdMemory(nameof(SpectralFilterOptions), options.Rank, options.Oversampling, train.UserCount, train.ItemCount);
        int rank = Math.Min(options.Rank, Math.Min(train.UserCount, train.ItemCount));
        using var scope = NewDisposeScope();
        var (_, right) = RandomizedSvd.Compute(Normalized(train), train.ItemCount, rank, options.Oversampling, options.PowerIterations, options.Seed, cancellationToken);
        using var values = right.to_type(ScalarType.Float32).contiguous().data<float>();
        return new GraphFilterScorer(train, values.ToArray(), rank, options.Alpha);
    }

    /// <summary>The filter of <paramref name="train"/> with a known <paramref name="basis"/> V_k (row-major <c>[items, rank]</c>), as saved.</summary>
    public GraphFilterScorer(Interactions train, float[] basis, int rank, double alpha)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if ((long)train.ItemCount * rank != basis.Length)
        {
            throw new ArgumentException($"The basis has {basis.Length} values; {train.ItemCount} items x rank {rank} needs {(long)train.ItemCount * rank}.", nameof(basis));
        }

        _train = train;
        _basis = basis;
        _rank = rank;
        Alpha = (float)alpha;
        int users = train.UserCount, items = train.ItemCount;
        var itemDegrees = train.ItemDegrees();
        var itemScale = ItemScale(itemDegrees);

        var byUser = Normalized(train);
        _userItemWeights = byUser.Values;
        _byItem = byUser.Transpose(items);

        _itemScale = itemScale;
        var back = new float[basis.Length];
        for (int i = 0; i < items; i++)
        {
            float unscale = (float)Math.Sqrt(itemDegrees[i]);
            for (int c = 0; c < rank; c++)
            {
                back[(c * items) + i] = basis[(i * rank) + c] * unscale;   // V_kᵀ D^1/2
            }
        }

        _basisBack = tensor(back, [rank, items]).DetachFromDisposeScope(); // lives with the scorer, whatever scope creates it
    }

    /// <summary>α, the weight of the ideal low-pass filter.</summary>
    public float Alpha { get; }

    /// <summary>k, the number of singular vectors kept.</summary>
    public int Rank => _rank;

    /// <summary>V_k, the top right singular vectors of R̃, row-major <c>[items, Rank]</c>: what a model file keeps.</summary>
    public ReadOnlySpan<float> Basis => _basis;

    /// <inheritdoc />
    public int ItemCount => _train.ItemCount;

    /// <inheritdoc />
    /// <remarks>
    /// At least <see cref="BatchColumns"/> users, scored a block of items at a time (<see cref="ItemsPerCall"/>): each
    /// call reads its items' non-zeros and <c>V_kᵀ D^1/2</c>, k floats per item, so a call for the few users whose whole
    /// rows fit the evaluator's buffer at millions of items would read them for every few users.
    /// </remarks>
    public int UsersPerBatch => Math.Max(FullRankingEvaluator.UserBatchSize(ItemCount), BatchColumns);

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users) => ScoreRows(IRowScorer.TrainingRows(_train, users));

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount) => ScoreRows(IRowScorer.TrainingRows(_train, users), firstItem, itemCount);

    /// <inheritdoc />
    /// <remarks>As many items as keep a call's scores within the evaluator's score buffer.</remarks>
    public int ItemsPerCall(int users) => FullRankingEvaluator.ItemsPerBuffer(users);

    /// <inheritdoc />
    public Tensor ScoreRows(IReadOnlyList<int[]> rows) => ScoreRows(rows, 0, ItemCount);

    /// <summary>
    /// Rows the linear part computes at once, the columns of W: 64 fills the kernel's eight vectors, and is the fewest
    /// users a blocked evaluation scores at once (<see cref="UsersPerBatch"/>), so that each block of items streams its
    /// non-zeros and its part of <c>V_kᵀ D^1/2</c> once for 64 users.
    /// </summary>
    internal const int BatchColumns = 64;

    /// <summary>
    /// Below this many whole rows each row takes its own two hops: the batched product reads every non-zero whatever
    /// the rows, as much for one visitor as for eight.
    /// </summary>
    internal const int FewRows = 8;

    /// <inheritdoc />
    public Tensor ScoreRows(IReadOnlyList<int[]> rows, int firstItem, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckItems(firstItem, itemCount);
        using var scope = NewDisposeScope();
        var scores = empty([rows.Count, itemCount], ScalarType.Float32);
        ScoreRowsInto(rows, firstItem, itemCount, scores);
        return scores.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>Written in place: the linear part straight into <paramref name="scores"/>, the ideal part added by one product.</remarks>
    public void ScoreInto(ReadOnlySpan<int> users, int firstItem, int itemCount, Tensor scores) =>
        ScoreRowsInto(IRowScorer.TrainingRows(_train, users), firstItem, itemCount, scores);

    /// <summary>The scores of <paramref name="rows"/> at items <c>[firstItem, firstItem + itemCount)</c> into <paramref name="scores"/>, a contiguous float32 CPU <c>[rows.Count, itemCount]</c>.</summary>
    private unsafe void ScoreRowsInto(IReadOnlyList<int[]> rows, int firstItem, int itemCount, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(scores);
        CheckItems(firstItem, itemCount);
        int count = rows.Count;
        nint linear = SparseProduct.Address(scores);
        if (count < FewRows && itemCount == ItemCount)
        {
            for (int b = 0; b < count; b++)
            {
                var row = new Span<float>((float*)linear + ((long)b * itemCount), itemCount);
                row.Clear();
                AddLinear(rows[b], row);
            }
        }
        else
        {
            // W is one array: fewer columns where the users are so many that 64 of them would not fit in one.
            int columns = Math.Min(BatchColumns, Math.Max(8, Array.MaxLength / Math.Max(_train.UserCount, 1) / 8 * 8));
            for (int start = 0; start < count; start += columns)
            {
                AddLinear(rows, start, Math.Min(columns, count - start), firstItem, itemCount, linear);
            }
        }

        var projected = new float[count * _rank];
        Parallel.For(0, count, b => AddBasisRows(rows[b], projected.AsSpan(b * _rank, _rank)));

        using var scope = NewDisposeScope();
        var back = itemCount == ItemCount ? _basisBack : _basisBack.narrow(1, firstItem, itemCount);
        scores.addmm_(tensor(projected, [count, _rank]), back, beta: 1, alpha: Alpha);
    }

    private void CheckItems(int firstItem, int itemCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstItem);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itemCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstItem + itemCount, ItemCount, nameof(itemCount));
    }

    /// <summary>The filter's scores of a visitor who has only <paramref name="item"/>: the items its users also have, weighted by the filter.</summary>
    public float[] ItemSimilarities(int item)
    {
        using var scope = NewDisposeScope();
        using var values = ScoreRows([[item]]).data<float>();
        return values.ToArray();
    }

    /// <summary>
    /// The spectral part as embeddings whose dot products are the ideal filter's scores: users <c>r_u D^-1/2 V_k</c>, items
    /// the rows of <c>D^1/2 V_k</c>. The linear part <c>r_u R̃ᵀR̃</c> has no such factors and is not in them.
    /// </summary>
    public (float[] Users, float[] Items) SpectralEmbeddings()
    {
        int users = _train.UserCount, items = ItemCount;
        var userRows = new float[users * _rank];
        Parallel.For(0, users, u => AddBasisRows(_train.ItemsOf(u), userRows.AsSpan(u * _rank, _rank)));
        var itemRows = new float[items * _rank];
        var itemDegrees = _train.ItemDegrees();
        for (int i = 0; i < items; i++)
        {
            float unscale = (float)Math.Sqrt(itemDegrees[i]);
            for (int c = 0; c < _rank; c++)
            {
                itemRows[(i * _rank) + c] = _basis[(i * _rank) + c] * unscale;
            }
        }

        return (userRows, itemRows);
    }

    /// <summary>
    /// The linear filter's scores <c>r R̃ᵀ R̃</c> of rows <c>[start, start + size)</c> of <paramref name="rows"/> at items
    /// <c>[firstItem, firstItem + itemCount)</c>, into those rows of <paramref name="scores"/> (<c>[rows, itemCount]</c>):
    /// <c>W = R̃ rᵀ</c> a column per row, then the items' rows of <c>R̃ᵀ W</c>. Each score sums the same terms in the same
    /// order whatever the block and whatever the other rows (W is as wide as a multiple of the kernel's vector, so every
    /// column is summed the same way): a block's linear scores are the same bits as those columns of whole rows, whatever
    /// the other rows of the batch. A call of fewer than <see cref="FewRows"/> whole rows sums them in another order
    /// (<see cref="AddLinear(int[], Span{float})"/>), and the ideal term's dense product may differ in the last bit with
    /// the shape of the call (BLAS picks its kernel by shape): so a near tie can be ordered differently when a user is
    /// scored alone and in a batch.
    /// </summary>
    private unsafe void AddLinear(IReadOnlyList<int[]> rows, int start, int size, int firstItem, int itemCount, nint scores)
    {
        int users = _train.UserCount;
        int dim = (size + 7) / 8 * 8;
        var buffers = Interlocked.Exchange(ref _keptHops, null) ?? new HopBuffers();
        if (buffers.Hop.Length < users * dim)
        {
            buffers.Hop = new float[users * dim];
        }

        if (buffers.Block.Length < itemCount * dim)
        {
            buffers.Block = new float[itemCount * dim];
        }

        float[] hop = buffers.Hop, block = buffers.Block;

        // W_vb = (r_b R̃ᵀ)_v, a column per row; with `undo`, the same places back to zeros for the next call.
        void FirstHop(bool undo) => FirstHopByItem(_byItem, rows, start, size, itemScale: null, hop, dim, undo);

        try
        {
            FirstHop(undo: false);

            CsrKernel.MultiplyRectangularRows(_byItem, firstItem, hop.AsSpan(0, users * dim), users, block.AsSpan(0, itemCount * dim), dim);

            fixed (float* product = block)
            {
                BlockTranspose.ColumnsToRows(product, dim, size, itemCount, (float*)scores + ((long)start * itemCount));   // Σ_v R̃_vj W_vb
            }
        }
        finally
        {
            FirstHop(undo: true);
            Interlocked.CompareExchange(ref _keptHops, buffers, null);
        }
    }

    /// <summary>
    /// The linear scores <c>r R̃ᵀ R̃</c> of one whole row, as the batched <see cref="AddLinear(IReadOnlyList{int[]}, int, int, int, int, nint)"/>
    /// computes them up to rounding, into <paramref name="scores"/> (zeros): the users who share an item with the row,
    /// then their items, which touches only the row's two-hop neighbourhood.
    /// </summary>
    /// <remarks>
    /// Owned because measured: a visitor's request on Gowalla took 4.3 ms through the batched product, which reads
    /// every non-zero for any row, and 3.1 ms with this (median of 1,400 requests, three runs each).
    /// </remarks>
    private void AddLinear(int[] row, Span<float> scores)
    {
        int[] pointers = _byItem.RowPointers, itemUsers = _byItem.Columns;
        float[] weights = _byItem.Values;
        var hop = Interlocked.Exchange(ref _keptRowHop, null) ?? new float[_train.UserCount];
        var touched = new List<int>();
        foreach (int item in row)
        {
            for (int p = pointers[item]; p < pointers[item + 1]; p++)
            {
                int other = itemUsers[p];
                if (hop[other] == 0)
                {
                    touched.Add(other);
                }

                hop[other] += weights[p];    // (r R̃ᵀ)_v
            }
        }

        var rowPointers = _train.RowPointers;
        var columns = _train.Items;
        foreach (int other in touched)
        {
            float weight = hop[other];
            hop[other] = 0;
            for (int p = rowPointers[other]; p < rowPointers[other + 1]; p++)
            {
                scores[columns[p]] += weight * _userItemWeights[p];   // Σ_v (r R̃ᵀ)_v R̃_v·
            }
        }

        Interlocked.CompareExchange(ref _keptRowHop, hop, null);
    }

    /// <summary>W, <c>[users, dim]</c>, all zeros between calls, and the product <c>[items, dim]</c> of a call.</summary>
    private sealed class HopBuffers
    {
        public float[] Hop { get; set; } = [];

        public float[] Block { get; set; } = [];
    }

    /// <summary><c>r D^-1/2 V_k</c> for the row <paramref name="row"/>, into <paramref name="projected"/> (zeroed first).</summary>
    private void AddBasisRows(ReadOnlySpan<int> row, Span<float> projected)
    {
        projected.Clear();
        foreach (int item in row)
        {
            var basisRow = _basis.AsSpan(item * _rank, _rank);
            float scale = _itemScale[item];
            for (int c = 0; c < _rank; c++)
            {
                projected[c] += basisRow[c] * scale;
            }
        }
    }

    /// <summary>
    /// <c>W = R̃ Xᵀ</c>, <c>[users, dim]</c> row-major, for the rows <c>start .. start + size</c> of a sparse X whose row b is
    /// <paramref name="itemScale"/> (1 when null) at the items of <c>rows[start + b]</c> and zero elsewhere: for each of
    /// those items, its users' entries of R̃ (<paramref name="byItem"/>, R̃ᵀ by item) added to column b of W, which touches
    /// only the rows' items' users instead of every non-zero of R̃. With <paramref name="undo"/>, the same places set
    /// back to zero, so that W can be kept cleared between calls instead of cleared whole.
    /// </summary>
    internal static void FirstHopByItem(CsrPartition byItem, IReadOnlyList<int[]> rows, int start, int size, float[]? itemScale, float[] hop, int dim, bool undo)
    {
        int[] pointers = byItem.RowPointers, itemUsers = byItem.Columns;
        float[] weights = byItem.Values;
        Parallel.For(0, size, b =>
        {
            foreach (int item in rows[start + b])
            {
                float scale = itemScale is null ? 1f : itemScale[item];
                for (int p = pointers[item]; p < pointers[item + 1]; p++)
                {
                    int at = (itemUsers[p] * dim) + b;
                    hop[at] = undo ? 0 : MathF.FusedMultiplyAdd(weights[p], scale, hop[at]);
                }
            }
        });
    }

    /// <summary>R̃ = D_U^-a R D_I^-½ as a CSR matrix by user, <c>[users, items]</c>, cut for every thread (a = <paramref name="userPower"/>).</summary>
    internal static CsrPartition Normalized(Interactions train, double userPower = 0.5) =>
        new(train.RowPointers.ToArray(), train.Items.ToArray(), NormalizedWeights(train, ItemScale(train.ItemDegrees()), userPower), 0);

    internal static float[] ItemScale(int[] itemDegrees) => Array.ConvertAll(itemDegrees, d => d == 0 ? 0f : (float)(1 / Math.Sqrt(d)));

    /// <summary>R̃'s entries <c>d_u^-a · itemScale_i</c> (a = ½, itemScale = d_i^-½: <c>1 / sqrt(d_u d_i)</c>) at the training interactions' CSR positions.</summary>
    internal static float[] NormalizedWeights(Interactions train, float[] itemScale, double userPower = 0.5)
    {
        var weights = new float[train.Count];
        var rowPointers = train.RowPointers;
        var columns = train.Items;
        for (int u = 0; u < train.UserCount; u++)
        {
            int degree = train.CountOf(u);
            float userScale = degree == 0 ? 0f : userPower == 0.5 ? (float)(1 / Math.Sqrt(degree)) : (float)Math.Pow(degree, -userPower);
            for (int p = rowPointers[u]; p < rowPointers[u + 1]; p++)
            {
                weights[p] = userScale * itemScale[columns[p]];
            }
        }

        return weights;
    }

    public void Dispose()
    {
        _basisBack.Dispose();
        _keptHops = null;
        _keptRowHop = null;
    }
}
