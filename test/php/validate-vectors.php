<?php
/**
 * Reads a JSON list of events ({type, data, previous?}) on stdin and prints, for each, what the PHP
 * package decides: {ok: true, json, specialists, workpoints} or {ok: false, code, field, unsafeInteger}.
 * test/php/parity.test.ts compares it with the hub's own parser.
 */

declare(strict_types=1);

require __DIR__ . '/../../php/autoload.php';

use RealtimeBookings\EventValidator;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\JsonLimits;

$results = [];
foreach (json_decode((string) stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR) as $vector) {
    try {
        $event = EventValidator::validate($vector['type'], $vector['data'], $vector['previous'] ?? null, null, JsonLimits::MAX_LENGTH);
        $results[] = ['ok' => true, 'json' => $event->json, 'specialists' => $event->specialists, 'workpoints' => $event->workpoints];
    } catch (InvalidEventException $error) {
        $results[] = ['ok' => false, 'code' => $error->errorCode, 'field' => $error->field, 'unsafeInteger' => str_contains($error->getMessage(), "outside JavaScript's exact range")];
    }
}
echo json_encode($results, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
