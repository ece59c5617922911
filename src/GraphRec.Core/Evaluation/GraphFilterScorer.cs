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
/// The item x item matrix R̃ᵀR̃ is never made: the linear part is computed per user in two sparse hops (the users who
/// share an item with u, then their items), which for a row of a few dozen items costs thousands of operations, not
/// the items squared; the ideal part is <c>(r_u D^-1/2 V_k)</c>, k numbers, times <c>V_kᵀ D^1/2</c>, a dense product
/// per batch of users.
/// </remarks>
internal sealed class GraphFilterScorer : IFilterScorer
{
    private readonly Interactions _train;
    private readonly int[] _itemPointers;
    private readonly int[] _itemUsers;
    private readonly float[] _itemUserWeights;
    private readonly float[] _userItemWeights;
    private readonly float[] _basis;         // V_k, [items, k]
    private readonly float[] _scaledBasis;   // D_I^-1/2 V_k, [items, k]
    private readonly Tensor _basisBack;      // V_kᵀ D_I^1/2, [k, items]
    private readonly int _rank;
    private readonly ThreadLocal<(float[] Weights, List<int> Touched)> _userBuffers; // per thread: (r R̃ᵀ) and the users it touches

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

        // R̃ by user (its entries at the user's CSR positions) and by item (users of each item, with the same entries).
        _userItemWeights = NormalizedWeights(train, itemScale);
        _itemPointers = new int[items + 1];
        for (int i = 0; i < items; i++)
        {
            _itemPointers[i + 1] = _itemPointers[i] + itemDegrees[i];
        }

        _itemUsers = new int[train.Count];
        _itemUserWeights = new float[train.Count];
        var next = _itemPointers[..^1].ToArray();
        var rowPointers = train.RowPointers;
        var columns = train.Items;
        for (int u = 0; u < users; u++)
        {
            for (int p = rowPointers[u]; p < rowPointers[u + 1]; p++)
            {
                int slot = next[columns[p]]++;
                _itemUsers[slot] = u;
                _itemUserWeights[slot] = _userItemWeights[p];
            }
        }

        _scaledBasis = new float[basis.Length];
        var back = new float[basis.Length];
        for (int i = 0; i < items; i++)
        {
            float scale = itemScale[i], unscale = (float)Math.Sqrt(itemDegrees[i]);
            for (int c = 0; c < rank; c++)
            {
                float value = basis[(i * rank) + c];
                _scaledBasis[(i * rank) + c] = value * scale;      // D^-1/2 V_k
                back[(c * items) + i] = value * unscale;          // V_kᵀ D^1/2
            }
        }

        _basisBack = tensor(back, [rank, items]).DetachFromDisposeScope(); // lives with the scorer, whatever scope creates it
        _userBuffers = new ThreadLocal<(float[] Weights, List<int> Touched)>(() => (new float[users], []));
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
    public Tensor Score(ReadOnlySpan<int> users) => ScoreRows(IRowScorer.TrainingRows(_train, users));

    /// <inheritdoc />
    public Tensor ScoreRows(IReadOnlyList<int[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int count = rows.Count, items = ItemCount;
        var linear = new float[count * items];
        var projected = new float[count * _rank];
        Parallel.For(0, count, b => ScoreRow(rows[b], linear.AsSpan(b * items, items), projected.AsSpan(b * _rank, _rank)));

        using var scope = NewDisposeScope();
        var scores = tensor(linear, [count, items]);
        scores.AddScaledInPlace(tensor(projected, [count, _rank]).mm(_basisBack), Alpha);
        return scores.MoveToOuterDisposeScope();
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
    /// The linear filter's scores of one interaction row, <c>r R̃ᵀ R̃</c>, into <paramref name="scores"/> (zeroed first),
    /// and <c>r D^-1/2 V_k</c> into <paramref name="projected"/>.
    /// </summary>
    private void ScoreRow(ReadOnlySpan<int> row, Span<float> scores, Span<float> projected)
    {
        var (userWeights, touched) = _userBuffers.Value;
        touched.Clear();
        foreach (int item in row)
        {
            for (int p = _itemPointers[item]; p < _itemPointers[item + 1]; p++)
            {
                int other = _itemUsers[p];
                if (userWeights[other] == 0)
                {
                    touched.Add(other);
                }

                userWeights[other] += _itemUserWeights[p];    // (r R̃ᵀ)_v
            }
        }

        scores.Clear();
        var rowPointers = _train.RowPointers;
        var columns = _train.Items;
        foreach (int other in touched)
        {
            float weight = userWeights[other];
            userWeights[other] = 0;
            for (int p = rowPointers[other]; p < rowPointers[other + 1]; p++)
            {
                scores[columns[p]] += weight * _userItemWeights[p];   // Σ_v (r R̃ᵀ)_v R̃_v·
            }
        }

        AddBasisRows(row, projected);
    }

    /// <summary><c>r D^-1/2 V_k</c> for the row <paramref name="row"/>, into <paramref name="projected"/> (zeroed first).</summary>
    private void AddBasisRows(ReadOnlySpan<int> row, Span<float> projected)
    {
        projected.Clear();
        foreach (int item in row)
        {
            var basisRow = _scaledBasis.AsSpan(item * _rank, _rank);
            for (int c = 0; c < _rank; c++)
            {
                projected[c] += basisRow[c];
            }
        }
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
        _userBuffers.Dispose();
    }
}
