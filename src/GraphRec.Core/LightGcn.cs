using GraphRec.Data;
using GraphRec.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphRec.Core;

/// <summary>
/// LightGCN (He et al., SIGIR 2020), trained and served: the one object for the common job. It trains on a
/// dataset's split, evaluates held-out interactions over the full catalogue with the split's own exclusions,
/// recommends and finds similar items by original id, exports its embeddings, and saves and loads itself. It owns
/// the graph and the model: dispose it, and nothing else.
/// </summary>
/// <remarks>
/// The model, its formulas and the layer loop are <see cref="LightGcnModel"/>; training minimises the BPR loss
/// (<see cref="BprLoss"/>) with Adam over triples from <see cref="Samplers.UniformUsers"/>, unless other ones are
/// given. Everything that needs composing differently (another loss, sampler or training loop) is public as a
/// building block: <see cref="NormalizedAdjacency"/>, <see cref="LightGcnConv"/>, <see cref="LightGcnModel"/>,
/// <see cref="ILoss"/>, <see cref="ISampler"/>.
/// Thread-safe for concurrent reads (recommend, similar items, evaluate) once trained or loaded; a dispose waits for
/// the calls in flight, and every call after it throws <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class LightGcn : IRecommender
{
    private readonly NormalizedAdjacency _adjacency;
    private readonly LightGcnRecommender _recommender;
    private readonly Interactions? _validation;
    private readonly DisposalGuard _guard = new(typeof(LightGcn));
    private readonly LightGcnModel _model;
    private readonly IReadOnlyList<TrainingProgress> _history;
    private readonly int _bestEpoch;
    private readonly IScorer _scorer;

    private LightGcn(NormalizedAdjacency adjacency, LightGcnModel model, ModelCatalog catalog, Interactions? validation, IReadOnlyList<TrainingProgress> history, int bestEpoch)
    {
        _adjacency = adjacency;
        _model = model;
        _recommender = new LightGcnRecommender(model, catalog);
        _validation = validation;
        _history = history;
        _bestEpoch = bestEpoch;
        _scorer = new DisposalGuard.GuardedScorer(_recommender.Scorer, _guard);
    }

    /// <summary>The model: its embeddings, options and propagation.</summary>
    public LightGcnModel Model => Checked(_model);

    /// <summary>A copy of the options it was trained with (for a loaded model: the saved hyperparameters, the training options at their defaults).</summary>
    public LightGcnOptions Options => Checked(_model).Options;

    /// <inheritdoc />
    public string ModelKind => Checked(ModelFile.LightGcnKind);

    /// <summary>The name of the dataset it was trained on.</summary>
    public string DatasetName => Checked(_recommender.Catalog.DatasetName);

    /// <summary>Original user ids ↔ the model's user indices.</summary>
    public IdMap Users => Checked(_recommender.Catalog.Users);

    /// <summary>Original item ids ↔ the model's item indices.</summary>
    public IdMap Items => Checked(_recommender.Catalog.Items);

    /// <summary>The training interactions: the graph, and what recommendations leave out.</summary>
    public Interactions TrainingInteractions => Checked(_recommender.Catalog.Train);

    /// <summary>Title, year and genres per item index, or null when the dataset has none.</summary>
    public IReadOnlyList<ItemInfo?>? ItemInfo => Checked(_recommender.Catalog.ItemInfo);

    /// <summary>Each epoch trained, as its last progress report with the epoch's seconds and validation metrics; empty for a loaded model.</summary>
    public IReadOnlyList<TrainingProgress> History => Checked(_history);

    /// <summary>The epoch whose weights the model holds: the best validated one when validating, else the last; 0 for a loaded model.</summary>
    public int BestEpoch => Checked(_bestEpoch);

    /// <summary>Scores of users against every item from the final embeddings, for <see cref="FullRankingEvaluator"/>; its calls after this model is disposed throw <see cref="ObjectDisposedException"/>.</summary>
    internal IScorer Scorer => Checked(_scorer);

    /// <summary>Trains LightGCN on <paramref name="split"/> of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset: its ids and item metadata.</param>
    /// <param name="split">A split of <paramref name="dataset"/>: the model trains on its train part and, when it has one, keeps the weights of the best epoch on its validation part.</param>
    /// <param name="options">Hyperparameters (copied); the defaults when null.</param>
    /// <param name="sampler">The triples of each epoch; <see cref="Samplers.UniformUsers"/> (the reference code's sampling) with the options' seed when null.</param>
    /// <param name="loss">The loss; <see cref="BprLoss"/> with the options' weight decay when null.</param>
    /// <param name="progress">Receives progress after every batch.</param>
    /// <param name="logger">Receives a line per epoch (and one for a warm start), and a warning for a checkpoint that could not be written.</param>
    /// <param name="warmStartFrom">
    /// A previous model to start from (it stays the caller's, and must not be disposed during the call), or null for a cold
    /// start. Only its layer-0 embeddings E(0) are taken; the remarks give the rule.
    /// </param>
    /// <param name="cancellationToken">Stops training between batches.</param>
    /// <remarks>
    /// <para>
    /// A warm start trains a new model on the current events (<paramref name="split"/>'s train part) from a previous
    /// model's layer-0 embeddings instead of from random ones, so that a model kept fresh by retraining need not start
    /// over. With <c>E'(0)</c> the previous model's layer-0 embeddings and <c>σ = InitStandardDeviation</c>:
    /// <code>
    ///   E(0)_u = E'(0)_u'     when the previous model knows user u's original id (its index there is u')
    ///   E(0)_u ~ N(0, σ²)     otherwise: the row a cold start with the same seed gives index u
    /// </code>
    /// and the same for items, ids matched as <see cref="IdMap.TryGetIndex(string, out int)"/> matches them (integers as
    /// integers, text exactly). Users and items only the previous model knows are left out. Nothing else is carried over:
    /// Adam's moments and step count start at zero, the learning-rate schedule, the sampler and the epochs start from
    /// epoch 1, and the final embeddings are propagated over the new graph. Training then runs as a cold start does,
    /// with the same options, validation and early stopping.
    /// </para>
    /// <para>
    /// With a <see cref="LightGcnOptions.CheckpointDirectory"/>, a warm start's checkpoint belongs to the embeddings it
    /// started from: a cold start's checkpoint, or one started from another model, is refused.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">An option is out of range, the split is not of this dataset, there is nothing to train on, or <paramref name="warmStartFrom"/> has another embedding dimension than the options (the message says which).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="warmStartFrom"/> is disposed.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the scores stopped being finite (lower the learning rate).</exception>
    /// <exception cref="IOException">The <see cref="LightGcnOptions.CheckpointDirectory"/> is a file or cannot be written (checked before the first epoch; a checkpoint that fails later is logged, and training goes on).</exception>
    /// <exception cref="InvalidDataException">The checkpoint there is damaged or is not a regular file.</exception>
    /// <exception cref="InvalidOperationException">A <paramref name="sampler"/> or <paramref name="loss"/> given broke its contract (<see cref="ISampler.Sample"/>, <see cref="ILoss.Compute"/>); the message says how.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static LightGcn Train(
        InteractionDataset dataset, DatasetSplit split, LightGcnOptions? options = null, ISampler? sampler = null, ILoss? loss = null,
        IProgress<TrainingProgress>? progress = null, ILogger<LightGcn>? logger = null, LightGcn? warmStartFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(split);
        options = (options ?? new LightGcnOptions()).Clone();
        options.Validate();
        ModelCatalog.RequireSplitOf(dataset, split);
        if (warmStartFrom is not null)
        {
            // Before the graph is built: a wrong previous model must fail fast.
            WarmStart.CheckDimension(warmStartFrom.Options.EmbeddingDimension, options.EmbeddingDimension);
        }

        options.RequireMemoryFor((long)split.Train.UserCount + split.Train.ItemCount, training: true);

        var adjacency = NormalizedAdjacency.FromInteractions(split.Train, maxDegreeOfParallelism: options.Threads);
        LightGcnModel? model = null;
        try
        {
            model = new LightGcnModel(adjacency, options);
            if (warmStartFrom is not null)
            {
                var (users, items) = warmStartFrom.CopyLayerZeroInto(model, dataset.Users, dataset.Items);
                WarmStart.LogWarmStart(logger ?? (ILogger)NullLogger.Instance, users, dataset.Users.Count, items, dataset.Items.Count);
            }

            var trainer = new LightGcnTrainer(options, loss, sampler, logger) { WarmStarted = warmStartFrom is not null };
            var result = trainer.Train(model, split.Train, split.Validation, progress, cancellationToken);
            return new LightGcn(adjacency, model, ModelCatalog.From(dataset, split.Train), split.Validation, result.History, result.BestEpoch);
        }
        catch
        {
            model?.Dispose();
            adjacency.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies this model's layer-0 rows of the users and items <paramref name="users"/> and <paramref name="items"/> also
    /// hold into <paramref name="target"/> (a warm start); throws <see cref="ObjectDisposedException"/> once disposed,
    /// and holds off a dispose while it copies.
    /// </summary>
    internal (int Users, int Items) CopyLayerZeroInto(LightGcnModel target, IdMap users, IdMap items) =>
        _guard.Run(() => WarmStart.CopyKnownRows(target, users, items, _model, _recommender.Catalog.Users, _recommender.Catalog.Items));

    /// <summary>Loads a model saved by <see cref="SaveAsync"/>; the graph is rebuilt from the saved training interactions.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, is of another version, damaged or forged, or holds another kind of model (<see cref="Recommenders.LoadAsync"/> loads any).</exception>
    public static async Task<LightGcn> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        FromFile(await ModelFile.LoadAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>The façade over a model read from a file, which it takes over.</summary>
    internal static LightGcn FromFile(LoadedModel loaded) => new(loaded.Adjacency, loaded.Model, loaded.Catalog, validation: null, [], bestEpoch: 0);

    /// <summary>
    /// Saves the model with its ids, training interactions and item metadata to <paramref name="path"/>, atomically (a
    /// temporary file renamed over the target), in GraphRec's versioned, checksummed model format.
    /// </summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) =>
        _guard.RunAsync(() => ModelFile.SaveAsync(_model, _recommender.Catalog, path, cancellationToken));

    /// <summary>
    /// Full-catalogue evaluation of <paramref name="heldOut"/> (the split's test or validation part): for each user with
    /// held-out items, every item is ranked except those the user has in train, in validation when evaluating another part (this process's
    /// trained model keeps its split's validation part; a loaded one has none), and in <paramref name="exclude"/>.
    /// </summary>
    /// <param name="heldOut">The interactions to find.</param>
    /// <param name="cutoffs">The cut-offs K; the options' <see cref="LightGcnOptions.Cutoffs"/> when null.</param>
    /// <param name="sampleUsers">Rank only this many users with held-out items, drawn at random; all when null (the default). The result's <see cref="RankingEvaluation.SampledFrom"/> says how many it was drawn from.</param>
    /// <param name="sampleSeed">The seed of the draw: the same seed and interactions give the same users. Default 2020.</param>
    /// <param name="exclude">
    /// More interactions to leave out of the rankings, besides the training ones: for a model loaded from a file, which
    /// knows only its train part, the validation part of the split it was trained with (<c>[split.Validation]</c>; a
    /// null part, as a split without validation has, is skipped). The <paramref name="heldOut"/> instance itself is
    /// never excluded; a part that shares its interactions would hide them. None by default.
    /// </param>
    /// <param name="cancellationToken">Stops between user batches.</param>
    /// <exception cref="ArgumentException">The interactions, or a part of <paramref name="exclude"/>, are not over this model's users and items, or <paramref name="sampleUsers"/> is not positive.</exception>
    public RankingEvaluation Evaluate(Interactions heldOut, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, IReadOnlyList<Interactions?>? exclude = null, CancellationToken cancellationToken = default)
    {
        return _guard.Run(() => _recommender.Core.Evaluate(heldOut, _validation, exclude, cutoffs ?? _model.Options.ResolveCutoffs(), sampleUsers, sampleSeed, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>Each new user is folded in from the items it brings, as <see cref="RecommendForItems(IReadOnlyList{string}, int)"/> does.</remarks>
    public RankingEvaluation EvaluateNewUsers(Interactions given, Interactions hidden, IReadOnlyList<int>? cutoffs = null, int? sampleUsers = null, int sampleSeed = FullRankingEvaluator.DefaultSampleSeed, CancellationToken cancellationToken = default) =>
        _guard.Run(() => _recommender.Core.EvaluateNewUsers(given, hidden, cutoffs ?? _model.Options.ResolveCutoffs(), sampleUsers, sampleSeed, cancellationToken));

    /// <summary>The top <paramref name="count"/> items for <paramref name="userId"/> (the id as the dataset gave it), best first, never one of its training items.</summary>
    /// <remarks>
    /// A user of the dataset without training interactions (only held-out ones) gets <see cref="PopularItems"/>, each
    /// marked <see cref="Recommendation.IsPopularFallback"/>, rather than a ranking by its untrained embedding.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">The model does not know the user (see <see cref="Users"/>; <see cref="RecommendForItems(IReadOnlyList{string}, int)"/> suits a newcomer).</exception>
    public IReadOnlyList<Recommendation> Recommend(string userId, int count = 10) => _guard.Run(() => _recommender.Recommend(userId, count));

    /// <inheritdoc />
    public IReadOnlyList<Recommendation> Recommend(long userId, int count = 10) => Recommend(IdText.Of(userId), count);

    /// <summary>Recommendations for many users, in the order given, scored in batches; a user without training interactions gets the popular items, as from <see cref="Recommend(string, int)"/>.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know one of the users.</exception>
    public IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<string> userIds, int count = 10, CancellationToken cancellationToken = default) =>
        _guard.Run(() => _recommender.Core.Recommend(userIds, count, cancellationToken));

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(IReadOnlyList<long> userIds, int count = 10, CancellationToken cancellationToken = default) =>
        RecommendMany(IdText.Of(userIds), count, cancellationToken);

    /// <summary>
    /// Recommendations for a visitor the model was not trained on, folded in from the items it interacted with (the
    /// formula is in <see cref="LightGcnModel"/>'s summary: the visitor's layer embeddings as Â would propagate them from
    /// those items); never one of them. Ids the model does not know are left out and reported in the result.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="itemIds"/> is empty (<see cref="PopularItems"/> suits a visitor with nothing yet).</exception>
    /// <exception cref="KeyNotFoundException">None of the items is in the model; the message lists them.</exception>
    public NewUserRecommendations RecommendForItems(IReadOnlyList<string> itemIds, int count = 10) => _guard.Run(() => _recommender.Core.RecommendForItems(itemIds, count));

    /// <inheritdoc />
    public NewUserRecommendations RecommendForItems(IReadOnlyList<long> itemIds, int count = 10) => RecommendForItems(IdText.Of(itemIds), count);

    /// <summary>The <paramref name="count"/> items nearest to <paramref name="itemId"/> by cosine of the final embeddings, itself excluded.</summary>
    /// <exception cref="KeyNotFoundException">The model does not know the item.</exception>
    public IReadOnlyList<Recommendation> SimilarItems(string itemId, int count = 10) => _guard.Run(() => _recommender.SimilarItems(itemId, count));

    /// <inheritdoc />
    public IReadOnlyList<Recommendation> SimilarItems(long itemId, int count = 10) => SimilarItems(IdText.Of(itemId), count);

    /// <summary>The most interacted-with training items, most first; the score is the count.</summary>
    public IReadOnlyList<Recommendation> PopularItems(int count = 10) => _guard.Run(() => _recommender.PopularItems(count));

    /// <summary>The final user and item embeddings as plain arrays with their original ids, for a vector index.</summary>
    public EmbeddingExport ExportEmbeddings() => _guard.Run(_recommender.ExportEmbeddings);

    /// <inheritdoc />
    /// <remarks>Waits for calls in flight on other threads; every call after it throws <see cref="ObjectDisposedException"/>.</remarks>
    public void Dispose()
    {
        if (!_guard.BeginDispose())
        {
            return;
        }

        _recommender.Dispose();
        _model.Dispose();
        _adjacency.Dispose();
    }

    private T Checked<T>(T value)
    {
        _guard.ThrowIfDisposed();
        return value;
    }
}
