using System.Globalization;
using System.Text;
using GraphRec.Data.Parsing;
using GraphRec.Data.Splitting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphRec.Data.Providers;

/// <summary>Options of <see cref="EdgeListProvider"/>.</summary>
public sealed record EdgeListOptions
{
    /// <summary>The dataset's name, for reports. Default <c>edgelist</c>.</summary>
    public string Name { get; init; } = "edgelist";

    /// <summary>Skip malformed lines (counted, the first few reported) instead of throwing. Default false.</summary>
    public bool Lenient { get; init; }
}

/// <summary>
/// Loads a dataset in the format of the LightGCN paper's datasets (Gowalla, Yelp2018, Amazon-Book): <c>train.txt</c>
/// and <c>test.txt</c>, one line per user, <c>user item item ...</c>, with ids already dense from 0. The dataset's
/// <see cref="InteractionDataset.PredefinedSplit"/> is that split; ids map to themselves.
/// </summary>
public sealed class EdgeListProvider : IDatasetProvider
{
    private static readonly char[] Separators = [' ', '\t'];
    private readonly string _trainPath;
    private readonly string _testPath;
    private readonly EdgeListOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a provider for a train and a test file.</summary>
    public EdgeListProvider(string trainPath, string testPath, EdgeListOptions? options = null, ILogger<EdgeListProvider>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trainPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(testPath);
        _trainPath = trainPath;
        _testPath = testPath;
        _options = options ?? new EdgeListOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a provider for <c>train.txt</c> and <c>test.txt</c> in a folder.</summary>
    public static EdgeListProvider FromFolder(string folder, EdgeListOptions? options = null, ILogger<EdgeListProvider>? logger = null) =>
        new(Path.Combine(folder, "train.txt"), Path.Combine(folder, "test.txt"), options, logger);

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken = default)
    {
        var lines = new LineReader(_options.Lenient);
        var train = await ReadAsync(_trainPath, lines, cancellationToken).ConfigureAwait(false);
        var test = await ReadAsync(_testPath, lines, cancellationToken).ConfigureAwait(false);
        int userCount = Math.Max(train.MaxUser, test.MaxUser) + 1;
        int itemCount = Math.Max(train.MaxItem, test.MaxItem) + 1;
        var trainInteractions = ToInteractions(train.Edges, userCount, itemCount, out _);
        var testInteractions = ToInteractions(test.Edges, userCount, itemCount, out _);
        var all = ToInteractions(train.Edges.Concat(test.Edges), userCount, itemCount, out int duplicates);
        var split = DatasetSplitter.FromParts(trainInteractions, null, testInteractions, _logger);
        var ids = new IdMap(Enumerable.Range(0, userCount).Select(i => (long)i));
        var itemIds = new IdMap(Enumerable.Range(0, itemCount).Select(i => (long)i));
        var report = new LoadReport(lines.LinesRead, 0, duplicates, lines.MalformedSkipped, lines.MalformedExamples);
        MovieLensProvider.LogReport(_logger, Name, userCount, itemCount, all.Count, report);
        return new InteractionDataset(Name, ids, itemIds, all, null, report, split);
    }

    private static async Task<EdgeRows> ReadAsync(string path, LineReader lines, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DatasetNotFoundException($"The edge-list file {path} does not exist.", path);
        }

        var rows = new EdgeRows();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await lines.ReadAsync(stream, Encoding.UTF8, path, hasHeader: false, line =>
        {
            int user = -1;
            var items = new List<int>();
            foreach (string field in line.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    throw new LineFormatException($"'{field}' is not a non-negative integer id");
                }

                if (user < 0)
                {
                    user = id;
                }
                else
                {
                    items.Add(id);
                }
            }

            rows.Add(user, items);
        }, cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private static Interactions ToInteractions(IEnumerable<(int User, int Item)> edges, int userCount, int itemCount, out int duplicates)
    {
        var rowLists = new List<int>[userCount];
        foreach (var (user, item) in edges)
        {
            (rowLists[user] ??= []).Add(item);
        }

        var rowPointers = new int[userCount + 1];
        var items = new List<int>();
        duplicates = 0;
        for (int user = 0; user < userCount; user++)
        {
            if (rowLists[user] is { } row)
            {
                row.Sort();
                for (int k = 0; k < row.Count; k++)
                {
                    if (k > 0 && row[k] == row[k - 1])
                    {
                        duplicates++;
                        continue;
                    }

                    items.Add(row[k]);
                }
            }

            rowPointers[user + 1] = items.Count;
        }

        return new Interactions(userCount, itemCount, rowPointers, [.. items]);
    }

    /// <summary>The edges of one file, in file order.</summary>
    private sealed class EdgeRows
    {
        public List<(int User, int Item)> Edges { get; } = [];

        public int MaxUser { get; private set; } = -1;

        public int MaxItem { get; private set; } = -1;

        public void Add(int user, List<int> items)
        {
            MaxUser = Math.Max(MaxUser, user);
            foreach (int item in items)
            {
                MaxItem = Math.Max(MaxItem, item);
                Edges.Add((user, item));
            }
        }
    }
}
