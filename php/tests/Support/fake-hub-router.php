<?php
/**
 * The router of {@see FakeHub} (`php -S`): records every request in requests.jsonl and answers with the
 * next scripted answer of answers.json (the last one repeats). FAKE_HUB_DIR names the folder.
 */

declare(strict_types=1);

$dir = (string) getenv('FAKE_HUB_DIR');
$headers = array_change_key_case(getallheaders(), CASE_LOWER);
$request = ['method' => $_SERVER['REQUEST_METHOD'], 'path' => $_SERVER['REQUEST_URI'], 'headers' => $headers, 'body' => file_get_contents('php://input')];
file_put_contents("$dir/requests.jsonl", json_encode($request) . "\n", FILE_APPEND);
$answers = json_decode((string) file_get_contents("$dir/answers.json"), true);
$count = count(file("$dir/requests.jsonl") ?: []);
$answer = $answers[min($count, count($answers)) - 1];
if (($answer['delay'] ?? 0) > 0) {
    usleep((int) ($answer['delay'] * 1e6));
}
http_response_code($answer['status']);
foreach ($answer['headers'] ?? [] as $name => $value) {
    header("$name: $value");
}
echo $answer['body'] ?? '';
