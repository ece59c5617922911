using System.Runtime.InteropServices;
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
internal sealed class GraphFilterScorer : IScorer, IDisposable
{
    private readonly Interactions _train;
    private readonly int[] _itemPointers;
    private readonly int[] _itemUsers;
    private readonly float[] _itemUserWeights;
    private readonly float[] _userItemWeights;
    private readonly float[] _scaledBasis;   // D_I^-1/2 V_k, [items, k]
    private readonly Tensor _basisBack;      // V_kᵀ D_I^1/2, [k, items]
    private readonly int _rank;
    private readonly ThreadLocal<float[]> _userBuffers;

    public GraphFilterScorer(Interactions train, int rank = 256, double alpha = 0.3, int oversampling = 20, int powerIterations = 4, int seed = 2020)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if (!double.IsFinite(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The weight of the ideal filter must be a finite number (the paper's is 0.3).");
        }

        _train = train;
        Alpha = (float)alpha;
        int users = train.UserCount, items = train.ItemCount;
        var itemDegrees = train.ItemDegrees();
        var itemScale = Array.ConvertAll(itemDegrees, d => d == 0 ? 0f : (float)(1 / Math.Sqrt(d)));

        // R̃ by user (its entries at the user's CSR positions) and by item (users of each item, with the same entries).
        _userItemWeights = new float[train.Count];
        var rowPointers = train.RowPointers;
        var columns = train.Items;
        for (int u = 0; u < users; u++)
        {
            float userScale = train.CountOf(u) == 0 ? 0f : (float)(1 / Math.Sqrt(train.CountOf(u)));
            for (int p = rowPointers[u]; p < rowPointers[u + 1]; p++)
            {
                _userItemWeights[p] = userScale * itemScale[columns[p]];
            }
        }

        _itemPointers = new int[items + 1];
        for (int i = 0; i < items; i++)
        {
            _itemPointers[i + 1] = _itemPointers[i] + itemDegrees[i];
        }

        _itemUsers = new int[train.Count];
        _itemUserWeights = new float[train.Count];
        var next = _itemPointers[..^1].ToArray();
        for (int u = 0; u < users; u++)
        {
            for (int p = rowPointers[u]; p < rowPointers[u + 1]; p++)
            {
                int slot = next[columns[p]]++;
                _itemUsers[slot] = u;
                _itemUserWeights[slot] = _userItemWeights[p];
            }
        }

        _rank = Math.Min(rank, Math.Min(users, items));
        using (var scope = NewDisposeScope())
        {
            var normalized = sparse_coo_tensor(
                stack([tensor(train.ExpandUsers()).to_type(ScalarType.Int64), tensor(columns.ToArray()).to_type(ScalarType.Int64)]),
                tensor(_userItemWeights), [users, items]); // indices in CSR order: sorted and unique
            var (_, right) = RandomizedSvd.Compute(normalized, _rank, oversampling, powerIterations, seed);
            var basis = right.to_type(ScalarType.Float32).contiguous();                       // V_k, [items, k]
            var scaled = (basis * tensor(itemScale).unsqueeze(1)).contiguous();               // D^-1/2 V_k
            using var values = scaled.data<float>();
            _scaledBasis = values.ToArray();
            var unscale = tensor(Array.ConvertAll(itemDegrees, d => (float)Math.Sqrt(d)));
            _basisBack = (basis.t() * unscale.unsqueeze(0)).contiguous().MoveToOuterDisposeScope(); // V_kᵀ D^1/2
        }

        _userBuffers = new ThreadLocal<float[]>(() => new float[users]);
    }

    /// <summary>α, the weight of the ideal low-pass filter.</summary>
    public float Alpha { get; }

    /// <inheritdoc />
    public int ItemCount => _train.ItemCount;

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users)
    {
        int count = users.Length, items = ItemCount;
        var linear = new float[count * items];
        var projected = new float[count * _rank];
        int[] batch = users.ToArray();
        foreach (int user in batch)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(user, nameof(users));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, _train.UserCount, nameof(users));
        }

        Parallel.For(0, count, b =>
        {
            var row = _train.ItemsOf(batch[b]);
            ScoreRow(row, linear.AsSpan(b * items, items), projected.AsSpan(b * _rank, _rank));
        });

        using var scope = NewDisposeScope();
        var scores = tensor(linear, [count, items]);
        scores.add_(tensor(projected, [count, _rank]).mm(_basisBack), Alpha);
        return scores.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The linear filter's scores of one interaction row, <c>r R̃ᵀ R̃</c>, into <paramref name="scores"/> (zeroed first),
    /// and <c>r D^-1/2 V_k</c> into <paramref name="projected"/>.
    /// </summary>
    private void ScoreRow(ReadOnlySpan<int> row, Span<float> scores, Span<float> projected)
    {
        float[] userWeights = _userBuffers.Value!;
        var touched = new List<int>();
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

    public void Dispose()
    {
        _basisBack.Dispose();
        _userBuffers.Dispose();
    }
}
