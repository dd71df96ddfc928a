using System.Data.Common;

namespace AccidentRemote.Server.Evidence;

/// <summary>
/// Makes and finds the clean copies of image evidence (<see cref="EvidenceCopyRow"/>). A copy is made when the
/// upload is accepted; items stored before copies existed get theirs the first time one is needed.
/// The copy is a blob like the originals (<see cref="EvidenceBlobs"/>, one file per SHA-256, under <c>copies/</c>): removing an
/// item's files means removing its original (<c>evidence.sha256</c>) and its copy (<c>copies/</c> + <c>evidence_copies.sha256</c>).
/// </summary>
public sealed class EvidenceCopies(EvidenceStore store, EvidenceBlobs blobs, TimeProvider clock)
{
    /// <summary>Re-encodes an accepted image and stores the copy's bytes; null for PDFs (which are never sent outside the police).</summary>
    public async Task<EvidenceCopyRow?> MakeAsync(Stream original, string originalSha256, string contentType, CancellationToken ct)
    {
        if (contentType == EvidenceInspector.Pdf || ImageCodec.CleanCopy(original, contentType) is not { } copy)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        return new EvidenceCopyRow
        {
            Sha256 = await blobs.StoreCopyAsync(copy.Bytes, ct),
            OriginalSha256 = originalSha256,
            ContentType = copy.ContentType,
            Size = copy.Bytes.Length,
            Width = copy.Width,
            Height = copy.Height,
            CreatedAt = now.AddTicks(-(now.Ticks % 10)),
        };
    }

    /// <summary>The copy of an item, made now if it has none yet; null for a PDF or when the original's file is missing.</summary>
    public async Task<EvidenceCopyRow?> ForAsync(EvidenceRow item, CancellationToken ct, DbConnection? connection = null, DbTransaction? tx = null)
    {
        if (item.ContentType == EvidenceInspector.Pdf)
        {
            return null;
        }

        if (await store.FindCopyAsync(item.Id, ct, connection, tx) is { } existing)
        {
            return existing;
        }

        EvidenceCopyRow? made;
        await using (var original = blobs.OpenRead(item.Sha256))
        {
            if (original is null)
            {
                return null;
            }

            made = await MakeAsync(original, item.Sha256, item.ContentType, ct);
        }

        if (made is null)
        {
            return null;
        }

        made.EvidenceId = item.Id;
        if (connection is null)
        {
            await store.AddCopyAsync(made, ct);
        }
        else
        {
            await EvidenceStore.AddCopyAsync(connection, tx, made);
        }

        // Another node may have made it at the same moment: the recorded one wins.
        return await store.FindCopyAsync(item.Id, ct, connection, tx);
    }
}
