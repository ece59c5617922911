using System.Diagnostics;
using GraphRec.Data;
using GraphRec.Metrics;
using Microsoft.Extensions.Logging;

namespace GraphRec.Core;

/// <summary>
/// A training-free spectral graph filter: a response h applied to the spectrum of the normalized item graph, plus an
/// ideal low-pass term from the top singular vectors, then an optional sharpening. GF-CF, BSPM-EM and ChebyCF are
/// configurations of it (<see cref="SpectralFilterOptions.GfCf"/>, <see cref="SpectralFilterOptions.Bspm"/>,
/// <see cref="SpectralFilterOptions.ChebyCf"/>):
/// <code>
///   R̃ = D_U^-1/2 R D_I^-1/2            (R the binary users x items training matrix, D the degrees)
///   P = R̃ᵀR̃,  L̃ = I − 2P              (items x items; eigenvalues of P in [0, 1], of L̃ in [−1, 1])
///   b_u = (r_u ∘ d^-β) h(P) ∘ d^β  +  α (n_u / n̄)^ρ · (r_u ∘ d^-γ) V_k V_kᵀ ∘ d^γ
///   s_u = b_u · g(P)^n,   g(P) = Σ_{j≤4} (−τP)^j / j!,  τ = T / n
/// </code>
/// with d the item degrees, n_u the number of u's items and n̄ its mean over the training users (ρ = 0 in every
/// published recipe: the same weight α for every user), V_k the top-k right singular vectors of R̃ (a randomized SVD), h a polynomial given by its
/// coefficients in powers of P or in Chebyshev polynomials of L̃ (<see cref="SpectralFilterOptions.SetResponse"/> interpolates a
/// response function), and g the fourth-order Runge–Kutta step of BSPM's sharpening ODE <c>dr/dt = −r P</c>:
/// <list type="bullet">
/// <item>GF-CF (Shen et al., CIKM 2021): h(P) = P, β = 0, γ = ½, α = 0.3, k = 256, no sharpening.</item>
/// <item>BSPM-EM on Gowalla (Choi et al., SIGIR 2023): the blurring b = r P + 0.2 · (r ∘ d^-½) V_448 V_448ᵀ ∘ d^½ (one
/// Euler step of length 1 of each of its blurring and ideal ODEs), then one RK4 step of the sharpening over T = 2.5
/// from b (early merge, final sharpening): s = b (I − 2.5P + 2.5²P²/2 − 2.5³P³/6 + 2.5⁴P⁴/24).</item>
/// <item>ChebyCF on Gowalla (Kim et al., SIGIR 2025): h = Σ_{k≤8} c_k T_k(L̃) interpolating the plateau response of
/// flatness 1.5 as its official code does, β = γ = 0.4, α = 0.2, k = 512.</item>
/// </list>
/// A user is scored from its own row r_u alone, so a visitor is scored exactly as a training user with the same items.
/// GF-CF's shape (<see cref="SpectralFilterOptions.GfCf"/>) is scored by GF-CF's own two-hop scorer and saved as a
/// <c>gf-cf</c> model (<see cref="ModelKind"/>); every other configuration as a <c>spectral</c> one.
/// </summary>
/// <remarks>
/// No item x item matrix is made: each product with P is two sparse products with R̃ over blocks of users, so a
/// filter of degree K costs K such pairs per user (plus four for the sharpening); the ideal term is k numbers per user
/// times a dense <c>[items, k]</c> matrix. Thread-safe for concurrent reads; dispose it, and nothing else.
/// </remarks>
public sealed partial class SpectralFilter : IRecommender
{
    private readonly IFilterScorer _filter;
    private readonly CatalogRecommender _recommender;
    private readonly SpectralFilterOptions _options;
    private readonly Interactions? _validation;
    private readonly DisposalGuard _guard = new(typeof(SpectralFilter));
    private readonly IScorer _scorer;

    private SpectralFilter(IFilterScorer filter, SpectralFilterOptions options, ModelCatalog catalog, Interactions? validation)
    {
        _filter = filter;
        _options = options;
        _recommender = new CatalogRecommender(filter, catalog);
        _validation = validation;
        _scorer = new DisposalGuard.GuardedScorer(filter, _guard);
    }

    /// <inheritdoc />
    /// <remarks><c>gf-cf</c> for GF-CF's shape (<see cref="SpectralFilterOptions.GfCf"/>), <c>spectral</c> for any other configuration.</remarks>
    public string ModelKind => Checked(_filter is GraphFilterScorer ? ModelFile.GraphFilterKind : ModelFile.SpectralFilterKind);

    /// <summary>A copy of the options it was fitted with.</summary>
    public SpectralFilterOptions Options => Checked(_options).Clone();

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

    /// <summary>Scores of users against every item, for <see cref="FullRankingEvaluator"/>; its calls after this model is disposed throw <see cref="ObjectDisposedException"/>.</summary>
    internal IScorer Scorer => Checked(_scorer);

    /// <summary>Fits the filter to the train part of <paramref name="split"/> of <paramref name="dataset"/>: the randomized SVD of R̃ (none when α = 0).</summary>
    /// <param name="dataset">The dataset: its ids and item metadata.</param>
    /// <param name="split">A split of <paramref name="dataset"/>; its validation part, when it has one, is excluded from the rankings of <see cref="Evaluate"/> on test, as for LightGCN.</param>
    /// <param name="options">Options (copied); the defaults when null.</param>
    /// <param name="logger">Receives a line with the time the fit took.</param>
    /// <param name="cancellationToken">Stops between the SVD's power iterations.</param>
    /// <exception cref="ArgumentException">An option is out of range, the split is not of this dataset, or it has no training interactions.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static SpectralFilter Fit(
        InteractionDataset dataset, DatasetSplit split, SpectralFilterOptions? options = null, ILogger<SpectralFilter>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(split);
        options = (options ?? new SpectralFilterOptions()).Clone();
        options.Validate();
        ModelCatalog.RequireSplitOf(dataset, split);

        if (split.Train.Count == 0)
        {
            throw new ArgumentException($"The split of {dataset.Name} has no training interactions: there is nothing to fit the filter to.", nameof(split));
        }

        var clock = Stopwatch.StartNew();
        IFilterScorer filter = options.HasGfCfShape
            ? GraphFilterScorer.Fit(split.Train, options, cancellationToken)
            : SpectralFilterScorer.Fit(split.Train, options, cancellationToken);
        if (logger is not null)
        {
            LogFitted(logger, dataset.Name, filter.Rank, clock.Elapsed.TotalSeconds);
        }

        return new SpectralFilter(filter, options, ModelCatalog.From(dataset, split.Train), split.Validation);
    }

    /// <summary>Loads a filter saved by <see cref="SaveAsync"/> (a <c>spectral</c> or a <c>gf-cf</c> model); its singular vectors are read, not recomputed.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, is of another version, damaged or forged, or holds another kind of model (<see cref="Recommenders.LoadAsync"/> loads any).</exception>
    public static async Task<SpectralFilter> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        FromFile(await ModelFile.LoadSpectralFilterAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>The façade over a filter read from a file, which it takes over.</summary>
    internal static SpectralFilter FromFile(LoadedSpectralFilter loaded) => new(loaded.Filter, loaded.Options, loaded.Catalog, validation: null);

    /// <inheritdoc />
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) =>
        _guard.RunAsync(() => _filter switch
        {
            GraphFilterScorer filter => ModelFile.SaveAsync(filter, _options, _recommender.Catalog, path, cancellationToken),
            SpectralFilterScorer filter => ModelFile.SaveAsync(filter, _options, _recommender.Catalog, path, cancellationToken),
            _ => throw new UnreachableException(),
        });

    /// <inheritdoc />
    public RankingEvaluation Evaluate(Interactions heldOut, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, IReadOnlyList<Interactions?>? exclude = null, CancellationToken cancellationToken = default) =>
        _guard.Run(() => _recommender.Evaluate(heldOut, _validation, exclude, cutoffs ?? _options.ResolveCutoffs(), sampleUsers, sampleSeed, cancellationToken));

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
    /// The ideal low-pass part as embeddings of dimension k: users <c>(r_u ∘ d^-γ) V_k</c>, items the rows of
    /// <c>d^γ ∘ V_k</c>, whose dot products are that part's scores (before the weight α (n_u / n̄)^ρ and the sharpening). The response h has no
    /// such factors and is not in them; a vector index over these approximates the filter, <see cref="RecommendMany(IReadOnlyList{string}, int, CancellationToken)"/> is exact.
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Spectral filter fitted to {Dataset}: {Rank} singular vectors in {Seconds:F1} s")]
    private static partial void LogFitted(ILogger logger, string dataset, int rank, double seconds);
}
