namespace GraphRec.Data;

/// <summary>Progress of a download, for a progress bar.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The size announced by the server, when it announced one.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);
