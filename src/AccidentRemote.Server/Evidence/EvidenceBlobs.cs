using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Evidence;

/// <summary>
/// The stored files: one per SHA-256, named by the lowercase hex hash, written once and never
/// overwritten. An upload is first received into <c>incoming/</c> under the same folder (same file
/// system, so the final move is a rename) and only moved into place once it has been accepted.
/// No name a client sent is ever part of a path.
/// </summary>
public sealed partial class EvidenceBlobs(IOptions<EvidenceOptions> options, TimeProvider clock)
{
    private const int BufferSize = 81_920;

    public string Root { get; } = Path.GetFullPath(options.Value.StoragePath);

    private string IncomingFolder => Path.Combine(Root, "incoming");

    /// <summary>Clean copies (<see cref="EvidenceCopies"/>), named by their own hash, apart from the originals.</summary>
    private string CopiesFolder => Path.Combine(Root, "copies");

    /// <summary>Creates the folders and proves they are writable, so a wrong setting fails at start.</summary>
    public void EnsureReady()
    {
        try
        {
            Directory.CreateDirectory(IncomingFolder);
            Directory.CreateDirectory(CopiesFolder);
            var probe = Path.Combine(IncomingFolder, $"probe-{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            // Leftovers of uploads interrupted by a crash; young ones may belong to another node sharing the folder.
            foreach (var stale in Directory.EnumerateFiles(IncomingFolder, "*.part"))
            {
                if (clock.GetUtcNow() - File.GetLastWriteTimeUtc(stale) > TimeSpan.FromHours(1))
                {
                    File.Delete(stale);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Evidence:StoragePath '{Root}' cannot be used: {ex.Message} Set Evidence:StoragePath to a folder the server may create and write to.", ex);
        }
    }

    /// <summary>
    /// Copies an upload into a new incoming file while hashing it. Stops reading as soon as more than
    /// <paramref name="maxBytes"/> arrived and returns null then (the partial file is deleted).
    /// </summary>
    public async Task<Incoming?> ReceiveAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        var path = Path.Combine(IncomingFolder, $"{Guid.NewGuid():N}.part");
        var incoming = new Incoming(path);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[BufferSize];
            long size = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        break;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            if (size > maxBytes)
            {
                incoming.Dispose();
                return null;
            }

            incoming.Size = size;
            incoming.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return incoming;
        }
        catch
        {
            incoming.Dispose();
            throw;
        }
    }

    /// <summary>Moves an accepted upload into place, unless a blob with its hash is already stored (then it is simply dropped).</summary>
    public void Commit(Incoming incoming) => Commit(incoming, PathFor(incoming.Sha256));

    private static void Commit(Incoming incoming, string target)
    {
        if (!File.Exists(target))
        {
            try
            {
                File.Move(incoming.Path, target, overwrite: false);
                File.SetAttributes(target, FileAttributes.ReadOnly);
            }
            catch (IOException) when (File.Exists(target))
            {
                // The same bytes arrived at the same moment on another request: that copy won.
            }
        }

        incoming.Dispose();
    }

    /// <summary>Stores a clean copy (bytes the server made itself) under <c>copies/</c>, write-once like an upload; returns its SHA-256.</summary>
    public async Task<string> StoreCopyAsync(byte[] bytes, CancellationToken ct)
    {
        using var body = new MemoryStream(bytes, writable: false);
        var incoming = (await ReceiveAsync(body, long.MaxValue, ct))!;
        var sha256 = incoming.Sha256;
        Commit(incoming, CopyPathFor(sha256));
        return sha256;
    }

    public FileStream? OpenCopyRead(string sha256)
    {
        var path = CopyPathFor(sha256);
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true)
            : null;
    }

    private string CopyPathFor(string sha256) => Path.Combine(CopiesFolder, Path.GetFileName(PathFor(sha256)));

    public bool Exists(string sha256) => File.Exists(PathFor(sha256));

    /// <summary>Removes a stored file (retention purge, erasure); false when it was not there.</summary>
    public bool Delete(string sha256)
    {
        var path = PathFor(sha256);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>Removes a stored clean copy (retention purge, erasure); false when it was not there.</summary>
    public bool DeleteCopy(string sha256)
    {
        var path = CopyPathFor(sha256);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    public FileStream? OpenRead(string sha256)
    {
        var path = PathFor(sha256);
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true)
            : null;
    }

    private string PathFor(string sha256)
    {
        // Only ever a hash the server computed; checked anyway, because this string becomes a path.
        if (!Sha256Hex().IsMatch(sha256))
        {
            throw new ArgumentException("Not a lowercase hex SHA-256.", nameof(sha256));
        }

        return Path.Combine(Root, sha256);
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    /// <summary>A received upload not yet accepted; disposing deletes it unless it was committed.</summary>
    public sealed class Incoming(string path) : IDisposable
    {
        public string Path { get; } = path;

        public long Size { get; internal set; }

        public string Sha256 { get; internal set; } = "";

        public FileStream OpenRead() => new(Path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);

        public void Dispose()
        {
            if (File.Exists(Path))
            {
                File.Delete(Path);
            }
        }
    }
}
