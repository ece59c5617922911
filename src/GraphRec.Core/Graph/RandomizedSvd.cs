using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GraphRec.Core.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// The top-k singular values and right singular vectors of a sparse matrix by a randomized range finder (Halko,
/// Martinsson and Tropp, 2011, algorithms 4.4 and 5.1): a Gaussian test matrix with oversampling, a few power
/// iterations with re-normalisation, then the exact SVD of the small projected matrix. Only products with the
/// matrix and its transpose touch it, so it is never made dense. Computed in float64 (the matrix's values are float32).
/// </summary>
/// <remarks>
/// Once in each power iteration the columns are re-normalised by an LU factorisation with partial pivoting (as
/// scikit-learn's <c>randomized_svd</c> does after each product), which keeps them well conditioned and spans the same
/// space as a QR factorisation at about a quarter of its work. Once an iteration, on the shorter of the two bases
/// (<c>[min(rows, cols), width]</c>): between two re-normalisations the columns' spread grows by (σ_1 / σ_width)², which
/// float64 holds with digits to spare. The last basis, the one the matrix is projected on, is orthonormalised by QR, and
/// the SVD of the projection <c>B = QᵀA</c> is taken through the QR factorisation of the tall <c>Bᵀ</c>
/// (<c>Bᵀ = Q_B R</c>, then the SVD of the small R). Owned because measured: a Gowalla SVD for ChebyCF (k 512) spends
/// most of its time in the factorisations, and libtorch's sparse COO product and the SVD of the wide B were slower than
/// these (gowalla benchmark).
/// </remarks>
internal static class RandomizedSvd
{
    /// <summary>Columns of a tile in <see cref="Multiply"/>: a tile of 32 doubles fills eight 256-bit registers.</summary>
    private const int TileWidth = 32;

    // Non-zeros to look ahead in Multiply, within the row being summed, when asking for the tiles about to be read.
    private const int PrefetchDistance = 8;

    /// <param name="matrix">The sparse matrix A as CSR, [rows, cols].</param>
    /// <param name="columns">cols, A's column count.</param>
    /// <param name="k">How many singular triplets.</param>
    /// <param name="oversampling">Extra columns of the test matrix (Halko et al. suggest 5 to 10; more is more exact).</param>
    /// <param name="powerIterations">Passes of (A Aᵀ): each sharpens the decay of the spectrum the range finder sees.</param>
    /// <param name="seed">Seed of the Gaussian test matrix.</param>
    /// <param name="cancellationToken">Stops between power iterations.</param>
    /// <returns>The singular values, descending, [k], and the right singular vectors as columns, [cols, k].</returns>
    public static (Tensor Values, Tensor RightVectors) Compute(CsrPartition matrix, int columns, int k, int oversampling = 20, int powerIterations = 4, int seed = 2020, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        long rows = matrix.RowPointers.Length - 1, cols = columns;
        int width = (int)Math.Min((long)k + oversampling, Math.Min(rows, cols)); // in 64 bits: k + oversampling may pass int.MaxValue
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, width);
        using var scope = NewDisposeScope();
        var (a, at) = (matrix, matrix.Transpose(columns));
        using var generator = new Generator((ulong)(long)seed);
        var omega = randn([cols, width], dtype: ScalarType.Float64, generator: generator);
        var y = Multiply(a, omega);                               // spans the range of A Ω
        omega.Dispose();
        bool normalizeRows = rows <= cols;                        // re-normalise the shorter of the two bases
        for (int i = 0; i < powerIterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each pass makes a few dense [rows or cols, width] matrices: each is freed as soon as the next is made.
            using var pass = NewDisposeScope();
            var basis = normalizeRows ? LowerBasis(y) : y;
            if (normalizeRows)
            {
                y.Dispose();
            }

            var back = Multiply(at, basis);
            basis.Dispose();
            var backBasis = normalizeRows ? back : LowerBasis(back);
            if (!normalizeRows)
            {
                back.Dispose();
            }

            y = Multiply(a, backBasis).MoveToOuterDisposeScope(); // spans the range of (A Aᵀ)^i A Ω
        }

        var q = linalg.qr(y, linalg.QRMode.Reduced).Item1;      // orthonormal, [rows, width]
        y.Dispose();
        var (projectedBasis, r) = linalg.qr(Multiply(at, q), linalg.QRMode.Reduced); // Bᵀ = AᵀQ = Q_B R, [cols, width]
        var (_, values, smallRightT) = linalg.svd(r.t(), false); // Rᵀ = U S Wᵀ, so B = U S (Q_B W)ᵀ
        var right = projectedBasis.mm(smallRightT[..k].t());      // Q_B W_k, [cols, k]
        return (values[..k].MoveToOuterDisposeScope(), right.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// A basis of the span of <paramref name="columns"/> ([rows, width], rows ≥ width): with <c>X = P L U</c> (LU with
    /// partial pivoting), <c>P L = X U⁻¹</c>, the unit lower trapezoidal L with its rows put back in X's order.
    /// </summary>
    private static Tensor LowerBasis(Tensor columns)
    {
        using var scope = NewDisposeScope();
        // torch.lu with its infos, not linalg.lu_factor, which refuses a rank-deficient block (a graph smaller than the
        // SVD's width): L is unit lower trapezoidal and spans at least the block's columns either way.
        var (factors, pivots, _) = TorchSharp.torch.lu(columns, pivot: true, get_infos: true);
        var lower = factors.tril_(-1);
        lower.diagonal().FillInPlace(1.0);

        // LAPACK's pivots swap rows i and pivots[i] - 1 in turn: row i of PᵀX is row order[i] of X.
        int rows = (int)columns.shape[0];
        var order = new long[rows];
        for (int row = 0; row < rows; row++)
        {
            order[row] = row;
        }

        using var swaps = pivots!.to_type(ScalarType.Int32).contiguous().data<int>();
        for (int i = 0; i < swaps.Count; i++)
        {
            (order[i], order[swaps[i] - 1]) = (order[swaps[i] - 1], order[i]);
        }

        var inverse = new long[rows];
        for (int row = 0; row < rows; row++)
        {
            inverse[order[row]] = row;
        }

        return lower.index_select(0, tensor(inverse)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>y = M x</c> for a CSR matrix M and a dense float64 x <c>[M's columns, width]</c>, y a new tensor <c>[M's rows, width]</c>:
    /// each value of y summed over its row's non-zeros in order with fused multiply-adds, blocks of rows on every thread.
    /// </summary>
    /// <remarks>
    /// Owned because measured: x is [items or users, k + oversampling] float64, 233 MB for ChebyCF's SVD of Gowalla, so
    /// whole rows of it (5.7 KB) came from memory for every non-zero. The product runs over tiles of
    /// <see cref="TileWidth"/> columns instead, each tile of x (10 MB on Gowalla) read from cache by all its rows, the
    /// tile's sums kept in registers; each value is the same sum in the same order either way.
    /// </remarks>
    private static unsafe Tensor Multiply(CsrPartition m, Tensor x)
    {
        x = x.contiguous();
        int width = (int)x.shape[1];
        var y = empty([m.RowPointers.Length - 1, width], ScalarType.Float64);
        // Blocks by the items pass 2 GiB from about 15 M Gowalla-shaped interactions, beyond what a span can address.
        nint source = SparseProduct.Address(x), target = SparseProduct.Address(y);
        for (int tile = 0; tile < width; tile += TileWidth)
        {
            int first = tile, count = Math.Min(TileWidth, width - tile);
            Parallel.For(0, m.BlockCount, m.ParallelOptions, block =>
            {
                fixed (int* pointers = m.RowPointers, columns = m.Columns)
                fixed (float* values = m.Values)
                {
                    for (int row = m.BlockStarts[block]; row < m.BlockStarts[block + 1]; row++)
                    {
                        SumTile((double*)source + first, (double*)target + ((long)row * width) + first, columns, values, pointers[row], pointers[row + 1], width, count);
                    }
                }
            });
        }

        return y;
    }

    /// <summary>
    /// <c>sum[c] = Σ_p values[p] · x[columns[p], c]</c> for <c>c &lt; count</c>, p from <paramref name="first"/> to
    /// <paramref name="end"/> in order, each step a fused multiply-add from zero (as <c>TensorPrimitives.FusedMultiplyAdd</c> makes it).
    /// </summary>
    private static unsafe void SumTile(double* x, double* sum, int* columns, float* values, int first, int end, int stride, int count)
    {
        if (count == TileWidth && Fma.IsSupported)
        {
            var s0 = Vector256<double>.Zero; var s1 = s0; var s2 = s0; var s3 = s0; var s4 = s0; var s5 = s0; var s6 = s0; var s7 = s0;
            for (int p = first; p < end; p++)
            {
                if (p + PrefetchDistance < end)
                {
                    CsrKernel.Prefetch(x + ((long)columns[p + PrefetchDistance] * stride), TileWidth);
                }

                double* row = x + ((long)columns[p] * stride);
                var v = Vector256.Create((double)values[p]);
                s0 = Fma.MultiplyAdd(Vector256.Load(row), v, s0);
                s1 = Fma.MultiplyAdd(Vector256.Load(row + 4), v, s1);
                s2 = Fma.MultiplyAdd(Vector256.Load(row + 8), v, s2);
                s3 = Fma.MultiplyAdd(Vector256.Load(row + 12), v, s3);
                s4 = Fma.MultiplyAdd(Vector256.Load(row + 16), v, s4);
                s5 = Fma.MultiplyAdd(Vector256.Load(row + 20), v, s5);
                s6 = Fma.MultiplyAdd(Vector256.Load(row + 24), v, s6);
                s7 = Fma.MultiplyAdd(Vector256.Load(row + 28), v, s7);
            }

            s0.Store(sum); s1.Store(sum + 4); s2.Store(sum + 8); s3.Store(sum + 12);
            s4.Store(sum + 16); s5.Store(sum + 20); s6.Store(sum + 24); s7.Store(sum + 28);
            return;
        }

        var target = new Span<double>(sum, count);
        target.Clear();
        for (int p = first; p < end; p++)
        {
            TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<double>(x + ((long)columns[p] * stride), count), values[p], target, target);
        }
    }
}
