<?php

declare(strict_types=1);

namespace RealtimeBookings;

/**
 * A booking event that every hub accepts: its JSON text exactly as it will be published, and its
 * scope (who may see it), as canonical ids without duplicates.
 */
final class ValidatedEvent
{
    /**
     * @param string       $json        the event as JSON (`{"type":…,"data":{…}}`)
     * @param list<string> $specialists canonical specialist ids (new scope, then the old one of a move)
     * @param list<string> $workpoints  canonical workpoint ids (likewise)
     */
    public function __construct(
        public readonly string $json,
        public readonly array $specialists,
        public readonly array $workpoints,
    ) {
    }
}
