/**
 * sharp as the engine uses it, on every thread that loads it. libvips' settings belong to the whole
 * process, and sharp turns its operation cache back on each time a thread loads it: the model and
 * HEIC workers loading sharp had the engine caching up to 50 MB of pictures and keeping up to 20
 * files open (files a person could then not delete or move on Windows). Every module that decodes
 * imports sharp from here, so whichever thread loads it last leaves these settings in place.
 */
import sharp from 'sharp';

// libvips parallelises inside one image; with one decode per core at a time we would oversubscribe
// the CPU that inference needs. One libvips thread per operation keeps decoding predictable.
sharp.concurrency(1);
// Nothing kept between pictures: each is decoded once per run, and an open file would stay open.
sharp.cache(false);

export default sharp;
