using GraphRec.Data;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>Scores every item by its number of training interactions, the same for every user.</summary>
internal sealed class MostPopularScorer : IScorer
{
    private readonly float[] _popularity;

    /// <summary>Counts the training interactions per item.</summary>
    public MostPopularScorer(Interactions train)
    {
        ArgumentNullException.ThrowIfNull(train);
        _popularity = Array.ConvertAll(train.ItemDegrees(), d => (float)d);
    }

    /// <inheritdoc />
    public int ItemCount => _popularity.Length;

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users) => tensor(_popularity).unsqueeze(0).expand(users.Length, ItemCount).contiguous();
}

/// <summary>
/// PureSVD (Cremonesi et al., RecSys 2010): the rank-f truncated SVD of the binary users × items training matrix,
/// <c>R ≈ U Σ Vᵀ</c>; a user's scores are its row projected on the top f item factors, <c>r_u V Vᵀ</c>. Computed with
/// MathNet.Numerics' dense SVD, which holds the whole matrix: fine at MovieLens 100K/1M size, refused beyond
/// <see cref="MaxCells"/> cells.
/// </summary>
internal sealed class PureSvdScorer : IScorer
{
    /// <summary>The largest users × items matrix accepted (50 million cells, 400 MB of doubles).</summary>
    public const long MaxCells = 50_000_000;

    private readonly Interactions _train;
    private readonly float[] _itemFactors;
    private readonly int _rank;

    /// <summary>Factorises the binary training matrix at rank <paramref name="rank"/> (default 64).</summary>
    /// <exception cref="InvalidOperationException">The matrix is larger than <see cref="MaxCells"/>.</exception>
    public PureSvdScorer(Interactions train, int rank = 64)
    {
        ArgumentNullException.ThrowIfNull(train);
        long cells = (long)train.UserCount * train.ItemCount;
        if (cells > MaxCells)
        {
            throw new InvalidOperationException(
                $"PureSVD uses a dense SVD, limited to {MaxCells:N0} cells; {train.UserCount:N0} users x {train.ItemCount:N0} items is {cells:N0}.");
        }

        var matrix = Matrix<double>.Build.Dense(train.UserCount, train.ItemCount);
        for (int user = 0; user < train.UserCount; user++)
        {
            foreach (int item in train.ItemsOf(user))
            {
                matrix[user, item] = 1;
            }
        }

        var svd = matrix.Svd(computeVectors: true);
        _rank = Math.Clamp(rank, 1, Math.Min(train.UserCount, train.ItemCount));
        var vt = svd.VT; // items x items, rows are right singular vectors
        _itemFactors = new float[train.ItemCount * _rank];
        for (int item = 0; item < train.ItemCount; item++)
        {
            for (int f = 0; f < _rank; f++)
            {
                _itemFactors[item * _rank + f] = (float)vt[f, item];
            }
        }

        _train = train;
    }

    /// <inheritdoc />
    public int ItemCount => _train.ItemCount;

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users)
    {
        using var scope = NewDisposeScope();
        var rows = zeros(users.Length, ItemCount);
        var flat = new List<long>();
        for (int b = 0; b < users.Length; b++)
        {
            foreach (int item in _train.ItemsOf(users[b]))
            {
                flat.Add((long)b * ItemCount + item);
            }
        }

        if (flat.Count > 0)
        {
            rows.view(-1).IndexFillInPlace(0, tensor(flat.ToArray()), 1f);
        }

        var v = tensor(_itemFactors).view(ItemCount, _rank);
        return rows.mm(v).mm(v.t()).MoveToOuterDisposeScope();
    }
}
