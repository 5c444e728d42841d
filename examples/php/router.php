<?php
/**
 * The router of PHP's built-in server for this example:
 *
 *   php -S 127.0.0.1:8000 -t public router.php
 *
 * It serves the client's <script> bundle at /assets/realtime-bookings.global.js straight from
 * packages/client/dist (a real app copies the file into its assets or loads it from a CDN), the
 * two PHP entry points, and the static files of public/.
 */

declare(strict_types=1);

require_once __DIR__ . '/src/app.php';

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';

if ($path === '/assets/realtime-bookings.global.js') {
    $bundle = config()['client_bundle'];
    if (!is_file($bundle)) {
        http_response_code(404);
        header('Content-Type: text/plain; charset=utf-8');
        echo "The client bundle is not built: npm run build -w packages/client ($bundle)\n";
        return true;
    }
    header('Content-Type: text/javascript; charset=utf-8');
    header('Cache-Control: no-cache');
    readfile($bundle);
    return true;
}
if ($path === '/' || $path === '/index.php') {
    require __DIR__ . '/public/index.php';
    return true;
}
if ($path === '/token.php') {
    require __DIR__ . '/public/token.php';
    return true;
}
if (in_array($path, ['/app.js', '/style.css'], true)) {
    return false; // the built-in server serves it from public/
}
http_response_code(404);
header('Content-Type: text/plain; charset=utf-8');
echo "Not found\n";
return true;
