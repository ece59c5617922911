namespace GraphRec.Sample;

/// <summary>Progress of a dataset's download, for the progress bar: the archive's name, bytes received and its size.</summary>
internal sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);
