using System.IO.Compression;
using System.Text;
using GraphRec.Data;

namespace GraphRec.Data.Tests;

/// <summary>Files that are damaged, hostile or merely unusual: each gives a dataset or a clear error, never a crash, hang or silent loss.</summary>
public sealed class HostileInputTests : IDisposable
{
    private const string Item = "10|Toy Story (1995)|01-Jan-1995||http://imdb/10|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Task<InteractionDataset> Load(MovieLensRelease release, float? threshold = null) =>
        new MovieLensProvider(release, new MovieLensOptions { DataDirectory = _folder.Path, RatingThreshold = threshold, AllowDownload = false }).LoadAsync();

    [Fact]
    public async Task A_ratings_csv_with_only_its_header_is_an_error_that_says_there_are_no_interactions()
    {
        _folder.Write("ml-latest-small/ratings.csv", "userId,movieId,rating,timestamp\n");
        _folder.Write("ml-latest-small/movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n");

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.LatestSmall));

        Assert.Contains("no interactions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_rating_below_the_threshold_is_an_error_that_names_the_threshold()
    {
        _folder.Write("ml-100k/u.data", "1\t10\t2\t100\n2\t10\t1\t100\n");
        _folder.Write("ml-100k/u.item", Item, Encoding.Latin1);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K, threshold: 4));

        Assert.Contains("below the rating threshold 4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_rating_threshold_that_is_not_a_number_is_refused_at_once(float threshold)
    {
        var error = Assert.Throws<ArgumentException>(() => new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions { RatingThreshold = threshold }));

        Assert.Contains("RatingThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ratings_csv_without_its_header_is_refused_instead_of_losing_its_first_row()
    {
        _folder.Write("ml-latest-small/ratings.csv", "1,1,4.0,964982703\n1,3,4.0,964981247\n");
        _folder.Write("ml-latest-small/movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n");

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.LatestSmall));

        Assert.Equal(1, error.LineNumber);
        Assert.Contains("expected the header line 'userId,movieId,rating,timestamp'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ml-100k", "u.data", "\t")]
    [InlineData("ml-1m", "ratings.dat", "::")]
    public async Task A_utf8_byte_order_mark_at_the_start_is_accepted(string folder, string file, string separator)
    {
        byte[] mark = [0xEF, 0xBB, 0xBF];
        string lines = string.Join(separator, "1", "10", "5", "100") + "\n" + string.Join(separator, "2", "10", "3", "100") + "\n";
        Directory.CreateDirectory(Path.Combine(_folder.Path, folder));
        File.WriteAllBytes(Path.Combine(_folder.Path, folder, file), [.. mark, .. Encoding.ASCII.GetBytes(lines)]);
        if (folder == "ml-100k")
        {
            _folder.Write("ml-100k/u.item", Item, Encoding.Latin1);
        }
        else
        {
            _folder.Write("ml-1m/movies.dat", "10::Toy Story (1995)::Animation\n", Encoding.Latin1);
        }

        var dataset = await Load(folder == "ml-100k" ? MovieLensRelease.Ml100K : MovieLensRelease.Ml1M);

        Assert.Equal([1L, 2L], dataset.Users.NumericIds.ToArray());
    }

    [Fact]
    public async Task One_endless_line_stops_at_the_line_length_limit_with_a_clear_error()
    {
        // 5 million characters without a newline: more than the 4 Mi limit, far less than would exhaust memory.
        _folder.Write("ml-100k/u.data", "1\t10\t5\t100\n" + new string('9', 5_000_000));
        _folder.Write("ml-100k/u.item", Item, Encoding.Latin1);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));

        Assert.Equal(2, error.LineNumber);
        Assert.Contains("longer than 4,194,304 characters", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 1_000, $"the message is {error.Message.Length} characters long");
    }

    [Fact]
    public async Task A_huge_field_and_terminal_control_bytes_never_reach_the_message_raw()
    {
        string hostile = "\u001b]0;owned\u0007\u001b[2J" + new string('x', 100_000);
        _folder.Write("ml-100k/u.data", $"1\t10\t5\t100\n{hostile}\t10\t5\t100\n");
        _folder.Write("ml-100k/u.item", Item, Encoding.Latin1);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));

        Assert.True(error.Message.Length < 1_000, $"the message is {error.Message.Length} characters long");
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Contains("\\u001B]0;owned\\u0007", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_title_with_control_characters_is_a_malformed_line()
    {
        _folder.Write("ml-100k/u.data", "1\t10\t5\t100\n");
        _folder.Write("ml-100k/u.item", Item.Replace("Toy Story", "Toy\u001b[31mStory", StringComparison.Ordinal), Encoding.Latin1);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));

        Assert.Contains("control characters", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, char.IsControl);
    }

    [Fact]
    public async Task A_stored_zip_entry_with_altered_bytes_fails_its_crc_check()
    {
        _folder.Write("ml-100k/u.data", "1\t10\t5\t100\n2\t10\t3\t100\n");
        _folder.Write("ml-100k/u.item", Item, Encoding.Latin1);
        string archive = Path.Combine(_folder.Path, "ml-100k.zip");
        ZipFile.CreateFromDirectory(Path.Combine(_folder.Path, "ml-100k"), archive, CompressionLevel.NoCompression, includeBaseDirectory: true);
        Directory.Delete(Path.Combine(_folder.Path, "ml-100k"), recursive: true);
        byte[] bytes = File.ReadAllBytes(archive);
        int at = bytes.AsSpan().IndexOf("2\t10\t3"u8);
        Assert.True(at > 0);
        bytes[at + 5] = (byte)'4'; // still a valid line: only the checksum can tell
        File.WriteAllBytes(archive, bytes);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));

        Assert.Contains("CRC-32", error.Message, StringComparison.Ordinal);
        Assert.Contains("u.data", error.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_file_that_is_a_folder_is_reported_instead_of_downloading()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Path, "ml-100k", "u.data"));

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions { DataDirectory = _folder.Path, AllowDownload = true }).LoadAsync());

        Assert.Contains("is a folder, not a file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_file_that_is_a_loop_of_links_is_reported_instead_of_downloading()
    {
        string folder = Path.Combine(_folder.Path, "ml-100k");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "u.data"), Path.Combine(folder, "loop"));
        File.CreateSymbolicLink(Path.Combine(folder, "loop"), Path.Combine(folder, "u.data"));

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions { DataDirectory = _folder.Path, AllowDownload = true }).LoadAsync());

        Assert.Contains("u.data: cannot be opened", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edge_list_ids_near_the_integer_limit_map_densely_and_keep_their_original_ids()
    {
        _folder.Write("d/train.txt", "2000000000 1 9223372036854775807\n2147483647 1\n");
        _folder.Write("d/test.txt", "2000000000 2147483647\n");

        var dataset = await EdgeListProvider.FromFolder(Path.Combine(_folder.Path, "d")).LoadAsync();

        Assert.Equal([2_000_000_000L, 2_147_483_647L], dataset.Users.NumericIds.ToArray());
        Assert.Equal([1L, 2_147_483_647L, long.MaxValue], dataset.Items.NumericIds.ToArray());
        Assert.Equal(3, dataset.PredefinedSplit!.Train.Count);
        Assert.Equal(0, dataset.PredefinedSplit.Test.Count); // item 2147483647 never occurs in train
        Assert.Equal(1, dataset.PredefinedSplit.DroppedTest);
    }

    [Fact]
    public async Task An_edge_list_without_any_item_is_an_error()
    {
        _folder.Write("d/train.txt", "0\n1\n");
        _folder.Write("d/test.txt", "0\n");

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => EdgeListProvider.FromFolder(Path.Combine(_folder.Path, "d")).LoadAsync());

        Assert.Contains("no interactions", error.Message, StringComparison.Ordinal);
    }
}
