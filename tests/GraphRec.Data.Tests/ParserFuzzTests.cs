using System.IO.Compression;
using System.Text;
using CsCheck;
using GraphRec.Data;
using GraphRec.Tests;
using GraphRec.Tests.Fuzzing;
using Xunit.Abstractions;

namespace GraphRec.Data.Tests;

/// <summary>
/// Property: every parser, fed a valid file mutated at random (bytes inserted, overwritten, deleted, repeated, cut),
/// gives either a consistent dataset or a <see cref="DatasetFormatException"/>, within seconds and megabytes. CI runs
/// <see cref="Cases"/> cases per parser on fixed seeds; <c>GRAPHREC_FUZZ_CASES=N</c> runs N and
/// <c>GRAPHREC_FUZZ_SEEDS=fresh</c> draws new ones (see <see cref="Properties"/>).
/// </summary>
[Collection(nameof(RunsAlone))]
[Trait("Category", "Fuzz")]
public sealed class ParserFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seconds = 20;
    // What a case may allocate: a fixed part (buffers, the first use of a code path) and a part per byte of input,
    // since a mutation can repeat a line thousands of times and each line is parsed, or refused, on its own.
    private const long FixedAllocation = 32L << 20;
    private const long AllocationPerInputByte = 4 << 10;
    private static readonly long Cases = FileMutation.Cases;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Which file of the set to mutate, the edits, and whether to load leniently.</summary>
    private static readonly Gen<(int File, FileMutation[] Edits, bool Lenient)> Case = Gen.Select(Gen.Int[0, 2], FileMutation.Random.Array[1, 4], Gen.Bool);

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Item100K(int id, string title, int genre) =>
        $"{id}|{title}|01-Jan-1995||http://imdb/{id}|" + string.Join("|", Enumerable.Range(0, 19).Select(g => g == genre ? "1" : "0")) + "\n";

    private static readonly (string Name, byte[] Content)[] Ml100KFiles =
    [
        ("u.data", Latin1("1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n2\t30\t1\t881250952\n3\t20\t5\t881250953\n3\t30\t2\t881250954\n")),
        ("u.item", Latin1(Item100K(10, "Toy Story (1995)", 3) + Item100K(20, "Misérables, Les (1995)", 8) + Item100K(30, "unknown", 0))),
        ("u.user", Latin1("1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n")),
    ];

    private static readonly (string Name, byte[] Content)[] Ml1MFiles =
    [
        ("ratings.dat", Latin1("1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n2::914::3::978299026\n3::661::5::978297039\n")),
        ("movies.dat", Latin1("1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n914::My Fair Lady (1964)::Musical|Romance\n")),
        ("users.dat", Latin1("1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n")),
    ];

    private static readonly (string Name, byte[] Content)[] CsvFiles =
    [
        ("ratings.csv", Encoding.UTF8.GetBytes("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,1,2.5,964982224\n2,6,4.0,964983815\n3,3,5.0,964982931\n")),
        ("movies.csv", Encoding.UTF8.GetBytes("movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n3,\"Grumpier Old Men, The (1995)\",Comedy|Romance\n6,Heat (1995),Action|Crime|Thriller\n")),
    ];

    private static readonly (string Name, byte[] Content)[] EdgeListFiles =
    [
        ("train.txt", Encoding.UTF8.GetBytes("0 0 1 2 3\n1 1 2 4\n2 0 4 5\n3 3 5 6\n")),
        ("test.txt", Encoding.UTF8.GetBytes("0 4\n1 0 5\n2 6\n3 1\n")),
    ];

    /// <summary>Writes each case's files into <c>case/subfolder/</c> and loads them with <paramref name="load"/>(case folder, lenient).</summary>
    private void Run(string parser, (string Name, byte[] Content)[] files, string subfolder, Func<string, bool, Task<InteractionDataset>> load)
    {
        long loaded = 0, refused = 0;
        long ran = Properties.Check(Case, c =>
        {
            string folder = Path.Combine(_folder.Path, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(folder, subfolder));
            for (int f = 0; f < files.Length; f++)
            {
                byte[] content = f == c.File % files.Length ? FileMutation.ApplyAll(files[f].Content, c.Edits) : files[f].Content;
                File.WriteAllBytes(Path.Combine(folder, subfolder, files[f].Name), content);
            }

            long inputBytes = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var work = Task.Run(() => load(folder, c.Lenient));
            Assert.True(Task.WaitAny([work], TimeSpan.FromSeconds(Seconds)) == 0, $"{parser}: no outcome within {Seconds} s");
            if (work.Exception?.InnerException is { } error)
            {
                Assert.True(error is DatasetFormatException, $"{parser}: {error.GetType().Name}: {error.Message}");
                Interlocked.Increment(ref refused);
            }
            else
            {
                var dataset = work.Result;
                Assert.True(dataset.Interactions.Count > 0);
                Assert.Equal((dataset.Users.Count, dataset.Items.Count), (dataset.Interactions.UserCount, dataset.Interactions.ItemCount));
                Interlocked.Increment(ref loaded);
            }

            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < FixedAllocation + (AllocationPerInputByte * inputBytes), $"{parser}: {allocated:N0} bytes allocated for {inputBytes:N0} bytes of input");
            Directory.Delete(folder, recursive: true);
        }, c => $"file {c.File}, lenient {c.Lenient}, edits {string.Join("; ", c.Edits)}", Cases);
        output.WriteLine($"{parser}: {ran} mutated inputs, {loaded} loaded, {refused} refused with DatasetFormatException, 0 other outcomes");
        Assert.Equal(ran, loaded + refused);
    }

    private static Task<InteractionDataset> MovieLens(MovieLensRelease release, string dataDirectory, bool lenient) =>
        new MovieLensProvider(release, new MovieLensOptions { DataDirectory = dataDirectory, Lenient = lenient, AllowDownload = false }).LoadAsync();

    [Fact]
    public void Ml100k_parser_gives_a_dataset_or_a_format_error() =>
        Run("ML-100K", Ml100KFiles, "ml-100k", (folder, lenient) => MovieLens(MovieLensRelease.Ml100K, folder, lenient));

    [Fact]
    public void Ml1m_parser_gives_a_dataset_or_a_format_error() =>
        Run("ML-1M", Ml1MFiles, "ml-1m", (folder, lenient) => MovieLens(MovieLensRelease.Ml1M, folder, lenient));

    [Fact]
    public void Csv_parser_gives_a_dataset_or_a_format_error() =>
        Run("CSV", CsvFiles, "ml-latest-small", (folder, lenient) => MovieLens(MovieLensRelease.LatestSmall, folder, lenient));

    [Fact]
    public void Edge_list_parser_gives_a_dataset_or_a_format_error() =>
        Run("edge list", EdgeListFiles, "", (folder, lenient) => EdgeListProvider.FromFolder(folder, lenient).LoadAsync());

    [Fact]
    public void Ml100k_archive_reader_gives_a_dataset_or_a_format_error()
    {
        byte[] archive = Zip(Ml100KFiles);
        Run("ML-100K zip", [("ml-100k.zip", archive)], "", (folder, lenient) => MovieLens(MovieLensRelease.Ml100K, folder, lenient));
    }

    /// <summary>A GroupLens-style archive (top folder ml-100k/) of <paramref name="files"/>, entries stored and deflated alternately.</summary>
    private static byte[] Zip((string Name, byte[] Content)[] files)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (int f = 0; f < files.Length; f++)
            {
                var entry = zip.CreateEntry("ml-100k/" + files[f].Name, f % 2 == 0 ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                using var stream = entry.Open();
                stream.Write(files[f].Content);
            }
        }

        return memory.ToArray();
    }
}
