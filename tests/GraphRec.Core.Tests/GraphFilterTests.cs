using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>GF-CF against dense references: the randomized SVD against a dense SVD, the filter's scores against its formula computed densely.</summary>
public sealed class GraphFilterTests
{
    /// <remarks>
    /// Taller and wider than the range finder's width, so that each side's basis is the one re-normalised; a steep
    /// spectrum (0.6^i: σ_30 / σ_1 ≈ 4e-7) spreads the columns by about 1e13 between two re-normalisations. A width of
    /// 70 (k 40) runs the products' whole tiles of columns as well as a partial one; 30, a partial one alone.
    /// </remarks>
    [Theory]
    [InlineData(200, 150, 0.85, 10)]
    [InlineData(150, 200, 0.85, 10)]
    [InlineData(150, 200, 0.6, 10)]
    [InlineData(200, 150, 0.6, 10)]
    [InlineData(200, 150, 0.85, 40)]
    [InlineData(150, 200, 0.85, 40)]
    public void Randomized_svd_finds_the_top_singular_values_and_subspace_of_a_known_spectrum(int rows, int columns, double decay, int k)
    {
        using var scope = NewDisposeScope();
        int rank = Math.Min(rows, columns);
        var generator = new TorchSharp.torch.Generator(5);
        var (u, _) = linalg.qr(randn([rows, rank], dtype: ScalarType.Float64, generator: generator), linalg.QRMode.Reduced);
        var (v, _) = linalg.qr(randn([columns, rank], dtype: ScalarType.Float64, generator: generator), linalg.QRMode.Reduced);
        var spectrum = tensor(Enumerable.Range(0, rank).Select(i => Math.Pow(decay, i)).ToArray());
        var dense = u.mm(diag(spectrum)).mm(v.t());
        var entries = dense.to_type(ScalarType.Float32).data<float>().ToArray();
        var matrix = new GraphRec.Core.Kernels.CsrPartition(
            [.. Enumerable.Range(0, rows + 1).Select(row => row * columns)], [.. Enumerable.Range(0, rows * columns).Select(e => e % columns)], entries, 0);

        var (values, right) = RandomizedSvd.Compute(matrix, columns, k, oversampling: k == 10 ? 20 : 30, powerIterations: 4);

        Assert.True(values.allclose(spectrum[..k], rtol: 1e-4, atol: 1e-10), $"values differ by {(values - spectrum[..k]).abs().max().item<double>()}");
        var expected = v[.., ..k];
        var difference = (right.mm(right.t()) - expected.mm(expected.t())).abs().max().item<double>();
        Assert.True(difference < 1e-4, $"the subspaces differ by {difference}");
    }

    [Fact]
    public void Randomized_svd_of_a_matrix_of_lower_rank_than_its_width_finds_its_singular_values()
    {
        using var scope = NewDisposeScope();
        // Rank 3 (12 users repeating three rows of 0s and 1s, as in a tiny graph), 12 x 10, while the range finder draws
        // k + oversampling = 2 + 8 = 10 columns: its blocks have repeated rows, so their LU meets exact zero pivots.
        int[][] patterns = [[0, 1, 2], [2, 3, 4, 5], [6, 7]];
        var entries = new float[12 * 10];
        for (int row = 0; row < 12; row++)
        {
            foreach (int column in patterns[row % 3])
            {
                entries[(row * 10) + column] = 1;
            }
        }

        var matrix = new GraphRec.Core.Kernels.CsrPartition(
            [.. Enumerable.Range(0, 13).Select(row => row * 10)], [.. Enumerable.Range(0, 12 * 10).Select(e => e % 10)], entries, 0);
        var expected = linalg.svdvals(tensor(entries, [12, 10]).to_type(ScalarType.Float64))[..2];

        var (values, _) = RandomizedSvd.Compute(matrix, columns: 10, k: 2, oversampling: 8, powerIterations: 4);

        Assert.True(values.allclose(expected, rtol: 1e-6, atol: 1e-9), $"values {string.Join(", ", values.data<double>().ToArray())} against {string.Join(", ", expected.data<double>().ToArray())}");
    }

    [Fact]
    public void The_filter_scores_what_its_formula_gives_computed_densely()
    {
        var random = new Random(8);
        const int users = 50, items = 40;
        var rows = Enumerable.Range(0, users).Select(u => Enumerable.Range(0, items).Where(_ => random.NextDouble() < 0.25).ToArray()).ToArray();
        var pointers = new int[users + 1];
        for (int u = 0; u < users; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Length;
        }

        var train = new Interactions(users, items, pointers, [.. rows.SelectMany(r => r)]);
        // Oversampling up to the item count: the range finder then spans the whole range, so the SVD is exact.
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 8, Alpha = 0.3, Oversampling = items });
        using var scope = NewDisposeScope();

        var r = zeros([users, items], dtype: ScalarType.Float64);
        for (int u = 0; u < users; u++)
        {
            foreach (int i in rows[u])
            {
                r[u, i] = 1.0;
            }
        }

        var userScale = r.sum(1L).rsqrt().nan_to_num(0, 0, 0);
        var itemDegree = r.sum(0L);
        var itemScale = itemDegree.rsqrt().nan_to_num(0, 0, 0);
        var normalized = r * userScale.unsqueeze(1) * itemScale.unsqueeze(0);
        var (_, _, vt) = linalg.svd(normalized, false);
        var basis = vt[..8].t();
        var expected = r.mm(normalized.t()).mm(normalized)
            .Plus(r.mm(diag(itemScale)).mm(basis).mm(basis.t()).mm(diag(itemDegree.sqrt())).Times(0.3));

        var actual = scorer.Score([.. Enumerable.Range(0, users)]).to_type(ScalarType.Float64);

        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"scores differ by {(actual - expected).abs().max().item<double>()}");
    }
}
