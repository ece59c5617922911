using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphRec.Data;

/// <summary>
/// Loads a dataset in the format of the LightGCN paper's datasets (Gowalla, Yelp2018, Amazon-Book): <c>train.txt</c>
/// and <c>test.txt</c>, one line per user, <c>user item item ...</c>. The dataset's
/// <see cref="InteractionDataset.PredefinedSplit"/> is that split. Ids map to dense indices in ascending order, like
/// MovieLens ids, so ids that are already dense from 0 (the paper's files) map to themselves, and large or sparse ids
/// cost memory by how many there are, not by how large they are. The users are those that start a line in either file.
/// </summary>
public sealed class EdgeListProvider : IDatasetProvider
{
    private static readonly char[] Separators = [' ', '\t'];
    private readonly string _trainPath;
    private readonly string _testPath;
    private readonly bool _lenient;
    private readonly ILogger _logger;

    /// <summary>Creates a provider for a train and a test file.</summary>
    /// <param name="trainPath">The training file.</param>
    /// <param name="testPath">The test file.</param>
    /// <param name="name">The dataset's name, for reports. Default <c>edgelist</c>.</param>
    /// <param name="lenient">Skip malformed lines (counted, the first few reported) instead of throwing. Default false.</param>
    /// <param name="logger">Where loading is logged.</param>
    public EdgeListProvider(string trainPath, string testPath, string name = "edgelist", bool lenient = false, ILogger<EdgeListProvider>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trainPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(testPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _trainPath = trainPath;
        _testPath = testPath;
        Name = name;
        _lenient = lenient;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a provider for <c>train.txt</c> and <c>test.txt</c> in <paramref name="folder"/>, named after the folder.</summary>
    public static EdgeListProvider FromFolder(string folder, bool lenient = false, ILogger<EdgeListProvider>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return new(Path.Combine(folder, "train.txt"), Path.Combine(folder, "test.txt"), name.Length > 0 ? name : "edgelist", lenient, logger);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken = default)
    {
        var lines = new LineReader(_lenient);
        var train = await ReadAsync(_trainPath, lines, cancellationToken).ConfigureAwait(false);
        var test = await ReadAsync(_testPath, lines, cancellationToken).ConfigureAwait(false);
        var users = new IdMap(train.Users.Union(test.Users));
        var items = new IdMap(train.Items.Union(test.Items));
        if (train.Edges.Count + test.Edges.Count == 0)
        {
            throw new DatasetFormatException(_trainPath, "no interactions: neither file lists an item for any user");
        }

        var trainInteractions = ToInteractions(train.Edges, users, items, out _);
        var testInteractions = ToInteractions(test.Edges, users, items, out _);
        var all = ToInteractions(train.Edges.Concat(test.Edges), users, items, out int duplicates);
        var split = DatasetSplitter.FromParts(trainInteractions, null, testInteractions, _logger);
        var report = new LoadReport(lines.LinesRead, 0, duplicates, lines.MalformedSkipped, lines.MalformedExamples);
        MovieLensProvider.LogReport(_logger, Name, users.Count, items.Count, all.Count, report);
        return new InteractionDataset(Name, users, items, all, null, report, split);
    }

    private static async Task<EdgeRows> ReadAsync(string path, LineReader lines, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The edge-list file {path} does not exist.", path);
        }

        var rows = new EdgeRows();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var items = new List<long>();
        await lines.ReadAsync(stream, Encoding.UTF8, path, header: null, line =>
        {
            long user = -1;
            items.Clear();
            foreach (string field in line.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                {
                    throw new LineFormatException($"{InputText.Quote(field)} is not a non-negative integer id");
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

    private static Interactions ToInteractions(IEnumerable<(long User, long Item)> edges, IdMap users, IdMap items, out int duplicates)
    {
        var rowLists = new List<int>[users.Count];
        foreach (var (user, item) in edges)
        {
            (rowLists[users.GetIndex(user)] ??= []).Add(items.GetIndex(item));
        }

        var rowPointers = new int[users.Count + 1];
        var columns = new List<int>();
        duplicates = 0;
        for (int user = 0; user < users.Count; user++)
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

                    columns.Add(row[k]);
                }
            }

            rowPointers[user + 1] = columns.Count;
        }

        return new Interactions(users.Count, items.Count, rowPointers, [.. columns]);
    }

    /// <summary>The edges of one file, in file order, with the original ids seen.</summary>
    private sealed class EdgeRows
    {
        public List<(long User, long Item)> Edges { get; } = [];

        public HashSet<long> Users { get; } = [];

        public HashSet<long> Items { get; } = [];

        public void Add(long user, List<long> items)
        {
            Users.Add(user);
            foreach (long item in items)
            {
                Items.Add(item);
                Edges.Add((user, item));
            }
        }
    }
}
