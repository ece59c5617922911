using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>
/// Options a caller can set to null, too large for memory or so large that arithmetic on them overflows: each is an
/// <see cref="ArgumentException"/> that names the option, before anything is allocated.
/// </summary>
public sealed class OptionValidationTests
{
    private static Interactions Train() => new(4, 3, [0, 2, 3, 4, 5], [0, 1, 2, 0, 1]);

    private static (InteractionDataset Dataset, DatasetSplit Split) Dataset(Interactions train) =>
        (new InteractionDataset("t", new IdMap(Enumerable.Range(1, train.UserCount).Select(u => (long)u)), new IdMap(Enumerable.Range(1, train.ItemCount).Select(i => (long)i)),
            train, null, new LoadReport(train.Count, 0, 0, 0, [])), new DatasetSplit(train, null, train, 0));

    public static TheoryData<string, Func<LightGcnOptions>> NullLightGcnOptions => new()
    {
        { "LightGcnOptions.Cutoffs", () => new LightGcnOptions { Cutoffs = null! } },
        { "LightGcnOptions.LearningRateMilestones", () => new LightGcnOptions { LearningRateMilestones = null! } },
        { "LightGcnOptions.ValidationMetric", () => new LightGcnOptions { ValidationMetric = null! } },
    };

    [Theory]
    [MemberData(nameof(NullLightGcnOptions))]
    public void A_null_list_or_name_in_the_lightgcn_options_is_an_argument_error_naming_it(string expected, Func<LightGcnOptions> options)
    {
        var (dataset, split) = Dataset(Train());
        using var adjacency = NormalizedAdjacency.FromInteractions(Train());

        Assert.Contains(expected, Assert.Throws<ArgumentException>(options().Validate).Message, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new LightGcnTrainer(options())).Message, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new LightGcnModel(adjacency, options())).Message, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => LightGcn.Train(dataset, split, options())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_cutoff_list_in_the_graph_filter_options_is_an_argument_error_naming_it()
    {
        var (dataset, split) = Dataset(Train());

        var error = Assert.Throws<ArgumentException>(() => SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Cutoffs = null! }));

        Assert.Contains("SpectralFilterOptions.Cutoffs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(SpectralFilterOptions.Cutoffs))]
    [InlineData(nameof(SpectralFilterOptions.Polynomial))]
    [InlineData(nameof(SpectralFilterOptions.ChebyshevCoefficients))]
    public void A_null_list_in_the_spectral_filter_options_is_an_argument_error_naming_it(string list)
    {
        var (dataset, split) = Dataset(Train());
        var options = SpectralFilterOptions.ChebyCf();
        typeof(SpectralFilterOptions).GetProperty(list)!.SetValue(options, null);

        var error = Assert.Throws<ArgumentException>(() => SpectralFilter.Fit(dataset, split, options));

        Assert.Contains("SpectralFilterOptions." + list, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(SpectralFilterOptions.OutputNormalization), -0.1)]
    [InlineData(nameof(SpectralFilterOptions.OutputNormalization), 2.5)]
    [InlineData(nameof(SpectralFilterOptions.UserNormalization), 0.4)]
    [InlineData(nameof(SpectralFilterOptions.UserNormalization), 1.1)]
    [InlineData(nameof(SpectralFilterOptions.IdealUserDegreeExponent), -2.5)]
    [InlineData(nameof(SpectralFilterOptions.IdealUserDegreeExponent), double.NaN)]
    public void A_degree_exponent_out_of_range_in_the_spectral_filter_options_is_an_argument_error_naming_it(string option, double value)
    {
        var (dataset, split) = Dataset(Train());
        var options = SpectralFilterOptions.ChebyCf();
        typeof(SpectralFilterOptions).GetProperty(option)!.SetValue(options, option == nameof(SpectralFilterOptions.OutputNormalization) ? (double?)value : value);

        var error = Assert.Throws<ArgumentException>(() => SpectralFilter.Fit(dataset, split, options));

        Assert.Contains("SpectralFilterOptions." + option, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(200_000_000)]
    public void An_embedding_table_larger_than_memory_is_an_argument_error_in_bytes_before_any_allocation(int dimension)
    {
        // MovieLens 100K's 943 users and 1,682 items: 2,625 rows of 200 million floats are 2.1 TB.
        using var adjacency = NormalizedAdjacency.FromEdges(943, 1682, [0], [0]);
        long bytes = checked(2625L * dimension * 4);

        var error = Assert.Throws<ArgumentException>(() => new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = dimension }));

        Assert.Contains("LightGcnOptions.EmbeddingDimension", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{bytes:N0} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("available", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_counts_adams_two_moments_next_to_the_embedding_table()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

        // 7 rows whose table is half of the memory: the model alone fits, the model with Adam's two moments cannot.
        var options = new LightGcnOptions { EmbeddingDimension = (int)Math.Min(int.MaxValue, available / 2 / 7 / 4) };
        options.RequireMemoryFor(7, training: false);
        var error = Assert.Throws<ArgumentException>(() => options.RequireMemoryFor(7, training: true));

        Assert.Contains("LightGcnOptions.EmbeddingDimension", error.Message, StringComparison.Ordinal);
        Assert.Contains("Adam", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_with_an_embedding_table_larger_than_memory_is_refused_before_the_graph_is_built()
    {
        var (dataset, split) = Dataset(Train());

        var error = Assert.Throws<ArgumentException>(() => LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = int.MaxValue }));

        Assert.Contains("LightGcnOptions.EmbeddingDimension", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{7L * int.MaxValue * 4 * 3:N0} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversampling_up_to_int_max_value_is_capped_at_the_exact_svd_like_the_rank_not_an_overflow()
    {
        var (dataset, split) = Dataset(Train());

        using var capped = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = int.MaxValue, Oversampling = int.MaxValue });
        using var exact = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 3, Oversampling = 0 });

        using var cappedScores = capped.Scorer.Score([0, 1, 2, 3]);
        using var exactScores = exact.Scorer.Score([0, 1, 2, 3]);

        Assert.Equal(exactScores.data<float>().ToArray(), cappedScores.data<float>().ToArray());
    }

    [Fact]
    public void A_graph_filter_whose_svd_exceeds_memory_is_an_argument_error_in_bytes()
    {
        // 200,000 users and items with one interaction each, and the rank at its cap: the SVD's dense blocks are
        // [users or items, 200,000] float64, 320 GB each.
        const int n = 200_000;
        var train = new Interactions(n, n, [.. Enumerable.Range(0, n + 1)], [.. Enumerable.Range(0, n)]);
        var (dataset, split) = Dataset(train);

        var error = Assert.Throws<ArgumentException>(() => SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = n }));

        Assert.Contains("SpectralFilterOptions.Rank", error.Message, StringComparison.Ordinal);
        Assert.Contains("bytes", error.Message, StringComparison.Ordinal);

        var spectral = SpectralFilterOptions.ChebyCf();
        spectral.Rank = n;
        error = Assert.Throws<ArgumentException>(() => SpectralFilter.Fit(dataset, split, spectral));
        Assert.Contains("SpectralFilterOptions.Rank", error.Message, StringComparison.Ordinal);
        Assert.Contains("bytes", error.Message, StringComparison.Ordinal);
    }
}
