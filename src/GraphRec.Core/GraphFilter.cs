using System.Diagnostics;
using GraphRec.Data;
using GraphRec.Metrics;
using Microsoft.Extensions.Logging;

namespace GraphRec.Core;

/// <summary>
/// GF-CF (Shen et al., "How Powerful is Graph Convolution for Recommendation?", CIKM 2021): a recommender without
/// training, a graph filter over the normalized interaction matrix, LightGCN's normalization:
/// <code>
///   R̃   = D_U^-1/2 R D_I^-1/2                         (R the binary users x items training matrix)
///   s_u = r_u R̃ᵀ R̃  +  α · r_u D_I^-1/2 V_k V_kᵀ D_I^1/2
/// </code>
/// a linear low-pass filter plus an ideal one, with V_k the top-k right singular vectors of R̃ (a randomized SVD). A
/// user is scored from its own row r_u alone, so a visitor is scored exactly as a training user with the same items
/// would be (<see cref="RecommendForItems(IReadOnlyList{string}, int)"/>). It fits in seconds where LightGCN trains for hours, and on Gowalla matches
/// the accuracy LightGCN reaches after 1,000 epochs (the gowalla benchmark, docs/benchmarks.md).
/// </summary>
/// <remarks>
/// The item x item matrix R̃ᵀR̃ is never made: the linear part is computed per user in two sparse hops, the ideal part
/// as k numbers per user times a dense <c>[k, items]</c> matrix. Thread-safe for concurrent reads; dispose it, and
/// nothing else: a dispose waits for the calls in flight, and every call after it throws <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed partial class GraphFilter : IRecommender
{
    private readonly GraphFilterScorer _filter;
    private readonly CatalogRecommender _recommender;
    private readonly GraphFilterOptions _options;
    private readonly Interactions? _validation;
    private readonly DisposalGuard _guard = new(typeof(GraphFilter));
    private readonly IScorer _scorer;

    private GraphFilter(GraphFilterScorer filter, GraphFilterOptions options, ModelCatalog catalog, Interactions? validation)
    {
        _filter = filter;
        _options = options;
        _recommender = new CatalogRecommender(filter, catalog);
        _validation = validation;
        _scorer = new DisposalGuard.GuardedScorer(filter, _guard);
    }

    /// <inheritdoc />
    public string ModelKind => Checked(ModelFile.GraphFilterKind);

    /// <summary>A copy of the options it was fitted with.</summary>
    public GraphFilterOptions Options => Checked(_options).Clone();

    /// <inheritdoc />
    public string DatasetName => Checked(_recommender.Catalog.DatasetName);

    /// <inheritdoc />
    public IdMap Users => Checked(_recommender.Catalog.Users);

    /// <inheritdoc />
    public IdMap Items => Checked(_recommender.Catalog.Items);

    /// <inheritdoc />
    public Interactions TrainingInteractions => Checked(_recommender.Catalog.Train);

    /// <inheritdoc />
    public IReadOnlyList<ItemInfo?>? ItemInfo => Checked(_recommender.Catalog.ItemInfo);

    /// <inheritdoc />
    /// <remarks>Its calls after this model is disposed throw <see cref="ObjectDisposedException"/>.</remarks>
    public IScorer Scorer => Checked(_scorer);

    /// <summary>Fits the filter to the train part of <paramref name="split"/> of <paramref name="dataset"/>: the randomized SVD of R̃.</summary>
    /// <param name="dataset">The dataset: its ids and item metadata.</param>
    /// <param name="split">A split of <paramref name="dataset"/>; its validation part, when it has one, is excluded from the rankings of <see cref="Evaluate"/> on test, as for LightGCN.</param>
    /// <param name="options">Options (copied); the defaults when null.</param>
    /// <param name="logger">Receives a line with the time the fit took.</param>
    /// <param name="cancellationToken">Stops between the SVD's power iterations.</param>
    /// <exception cref="ArgumentException">An option is out of range, the split is not of this dataset, or it has no training interactions.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static GraphFilter Fit(
        InteractionDataset dataset, DatasetSplit split, GraphFilterOptions? options = null, ILogger<GraphFilter>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(split);
        options = (options ?? new GraphFilterOptions()).Clone();
        options.Validate();
        ModelCatalog.RequireSplitOf(dataset, split);

        if (split.Train.Count == 0)
        {
            throw new ArgumentException($"The split of {dataset.Name} has no training interactions: there is nothing to fit the filter to.", nameof(split));
        }

        var clock = Stopwatch.StartNew();
        var filter = GraphFilterScorer.Fit(split.Train, options, cancellationToken);
        if (logger is not null)
        {
            LogFitted(logger, dataset.Name, filter.Rank, clock.Elapsed.TotalSeconds);
        }

        return new GraphFilter(filter, options, ModelCatalog.From(dataset, split.Train), split.Validation);
    }

    /// <summary>Loads a filter saved by <see cref="SaveAsync"/>; its singular vectors are read, not recomputed.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The file is not a GraphRec model, is of another version, damaged or forged, or holds another kind of model (<see cref="Recommenders.LoadAsync"/> loads any).</exception>
    public static async Task<GraphFilter> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        FromFile(await ModelFile.LoadGraphFilterAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>The façade over a filter read from a file, which it takes over.</summary>
    internal static GraphFilter FromFile(LoadedGraphFilter loaded) => new(loaded.Filter, loaded.Options, loaded.Catalog, validation: null);

    /// <inheritdoc />
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) =>
        _guard.RunAsync(() => ModelFile.SaveAsync(_filter, _options, _recommender.Catalog, path, cancellationToken));

    /// <inheritdoc />
    public RankingEvaluation Evaluate(Interactions heldOut, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, CancellationToken cancellationToken = default) =>
        _guard.Run(() => _recommender.Evaluate(heldOut, _validation, cutoffs ?? _options.ResolveCutoffs(), sampleUsers, sampleSeed, cancellationToken));

    /// <inheritdoc />
    /// <remarks>Exact: each new user's scores are the formula's for its row of <paramref name="given"/>.</remarks>
    public RankingEvaluation EvaluateNewUsers(Interactions given, Interactions hidden, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, CancellationToken cancellationToken = default) =>
        _guard.Run(() => _recommender.EvaluateNewUsers(given, hidden, cutoffs ?? _options.ResolveCutoffs(), sampleUsers, sampleSeed, cancellationToken));

    /// <inheritdoc />
    public IReadOnlyList<Recommendation> Recommend(string userId, int count = 10) => _guard.Run(() => _recommender.Recommend([userId], count)[0]);

    /// <inheritdoc />
    public IReadOnlyList<Recommendation> Recommend(long userId, int count = 10) => Recommend(IdText.Of(userId), count);

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<string> userIds, int count = 10, CancellationToken cancellationToken = default) =>
        _guard.Run(() => _recommender.Recommend(userIds, count, cancellationToken));

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<long> userIds, int count = 10, CancellationToken cancellationToken = default) =>
        RecommendMany(IdText.Of(userIds), count, cancellationToken);

    /// <summary>
    /// Recommendations for a visitor the model was not trained on, from the items it interacted with: the formula
    /// applied to that row, so exactly the scores a training user with those items gets; never one of them. Ids the
    /// model does not know are left out and reported in the result.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="itemIds"/> is empty (<see cref="PopularItems"/> suits a visitor with nothing yet).</exception>
    /// <exception cref="KeyNotFoundException">None of the items is in the model; the message lists them.</exception>
    public NewUserRecommendations RecommendForItems(IReadOnlyList<string> itemIds, int count = 10) => _guard.Run(() => _recommender.RecommendForItems(itemIds, count));

    /// <inheritdoc />
    public NewUserRecommendations RecommendForItems(IReadOnlyList<long> itemIds, int count = 10) => RecommendForItems(IdText.Of(itemIds), count);

    /// <summary>
    /// The <paramref name="count"/> items the filter scores highest for a visitor who has only <paramref name="itemId"/>
    /// (the items its users also have, weighted by the filter), itself excluded.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The model does not know the item.</exception>
    public IReadOnlyList<Recommendation> SimilarItems(string itemId, int count = 10) => _guard.Run(() => _recommender.SimilarItems(itemId, count));

    /// <inheritdoc />
    public IReadOnlyList<Recommendation> SimilarItems(long itemId, int count = 10) => SimilarItems(IdText.Of(itemId), count);

    /// <inheritdoc />
    public IReadOnlyList<Recommendation> PopularItems(int count = 10) => _guard.Run(() => _recommender.PopularItems(count));

    /// <summary>
    /// The ideal low-pass part as embeddings of dimension k: users <c>r_u D_I^-1/2 V_k</c>, items the rows of
    /// <c>D_I^1/2 V_k</c>, whose dot products are that part's scores (before α). The linear part r_u R̃ᵀR̃ has no such
    /// factors and is not in them; a vector index over these approximates the filter, <see cref="RecommendMany(IReadOnlyList{string}, int, CancellationToken)"/> is exact.
    /// </summary>
    public EmbeddingExport ExportEmbeddings()
    {
        using var entry = _guard.Enter();
        var (users, items) = _filter.SpectralEmbeddings();
        return _recommender.Export(_filter.Rank, users, items);
    }

    /// <inheritdoc />
    /// <remarks>Waits for calls in flight on other threads; every call after it throws <see cref="ObjectDisposedException"/>.</remarks>
    public void Dispose()
    {
        if (_guard.BeginDispose())
        {
            _filter.Dispose();
        }
    }

    private T Checked<T>(T value)
    {
        _guard.ThrowIfDisposed();
        return value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GF-CF fitted to {Dataset}: {Rank} singular vectors in {Seconds:F1} s")]
    private static partial void LogFitted(ILogger logger, string dataset, int rank, double seconds);
}
