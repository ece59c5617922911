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
/// MathNet.Numerics' dense SVD, which holds the matrix, a working copy and both full sets of singular vectors
/// (users × users and items × items): fine at MovieLens 100K/1M size, refused beyond <see cref="MaxDoubles"/>.
/// </summary>
internal sealed class PureSvdScorer : IScorer
{
    /// <summary>The most doubles the SVD may hold (800 MB).</summary>
    public const long MaxDoubles = 100_000_000;

    private readonly Interactions _train;
    private readonly float[] _itemFactors;
    private readonly int _rank;

    /// <summary>Factorises the binary training matrix at rank <paramref name="rank"/> (default 64).</summary>
    /// <exception cref="InvalidOperationException">The SVD would hold more than <see cref="MaxDoubles"/> doubles.</exception>
    public PureSvdScorer(Interactions train, int rank = 64)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (Refusal(train.UserCount, train.ItemCount) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
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

    /// <summary>The doubles the SVD of a <paramref name="users"/> × <paramref name="items"/> matrix holds: the matrix and its working copy, U and Vᵀ.</summary>
    public static long DoublesFor(int users, int items) => (2L * users * items) + ((long)users * users) + ((long)items * items);

    /// <summary>Why the SVD of a <paramref name="users"/> × <paramref name="items"/> matrix is refused, or null when it fits.</summary>
    public static string? Refusal(int users, int items)
    {
        long doubles = DoublesFor(users, items);
        return doubles <= MaxDoubles
            ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"PureSVD's dense SVD of {users:N0} users x {items:N0} items would hold {doubles:N0} doubles ({doubles * sizeof(double) / 1e9:F1} GB, the users x users and items x items singular vectors included), more than its limit of {MaxDoubles:N0}.");
    }

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
