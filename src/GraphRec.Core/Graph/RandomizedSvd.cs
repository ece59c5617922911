using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// The top-k singular values and right singular vectors of a sparse matrix by a randomized range finder (Halko,
/// Martinsson and Tropp, 2011, algorithms 4.4 and 5.1): a Gaussian test matrix with oversampling, a few power
/// iterations with re-orthonormalisation, then the exact SVD of the small projected matrix. Only products with the
/// matrix and its transpose touch it, so it is never made dense. Computed in float64.
/// </summary>
internal static class RandomizedSvd
{
    /// <param name="matrix">The sparse matrix A, [rows, cols], as a COO tensor.</param>
    /// <param name="k">How many singular triplets.</param>
    /// <param name="oversampling">Extra columns of the test matrix (Halko et al. suggest 5 to 10; more is more exact).</param>
    /// <param name="powerIterations">Passes of (A Aᵀ): each sharpens the decay of the spectrum the range finder sees.</param>
    /// <param name="seed">Seed of the Gaussian test matrix.</param>
    /// <param name="cancellationToken">Stops between power iterations.</param>
    /// <returns>The singular values, descending, [k], and the right singular vectors as columns, [cols, k].</returns>
    public static (Tensor Values, Tensor RightVectors) Compute(Tensor matrix, int k, int oversampling = 20, int powerIterations = 4, int seed = 2020, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        long rows = matrix.shape[0], cols = matrix.shape[1];
        int width = (int)Math.Min((long)k + oversampling, Math.Min(rows, cols)); // in 64 bits: k + oversampling may pass int.MaxValue
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, width);
        using var scope = NewDisposeScope();
        var a = matrix.to_type(ScalarType.Float64);
        var at = a.t();
        using var generator = new Generator((ulong)(long)seed);
        var omega = randn([cols, width], dtype: ScalarType.Float64, generator: generator);
        var q = Orthonormal(mm(a, omega));                        // a basis of the range of A Ω
        omega.Dispose();
        for (int i = 0; i < powerIterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each pass makes a few dense [rows or cols, width] matrices: free them as it goes, not at the end.
            using var pass = NewDisposeScope();
            var next = Orthonormal(mm(a, Orthonormal(mm(at, q)))).MoveToOuterDisposeScope(); // of (A Aᵀ)^i A Ω
            q.Dispose();
            q = next;
        }

        var projected = mm(at, q).t();                            // B = Qᵀ A, [width, cols]
        var (_, values, rightT) = linalg.svd(projected, false);
        return (values[..k].MoveToOuterDisposeScope(), rightT[..k].t().contiguous().MoveToOuterDisposeScope());
    }

    private static Tensor Orthonormal(Tensor columns) => linalg.qr(columns, linalg.QRMode.Reduced).Item1;
}
